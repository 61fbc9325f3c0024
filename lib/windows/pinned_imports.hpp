// SPDX-License-Identifier: GPL-3.0-or-later
// The Windows worker's counterpart of linux/pinned_randomness.hpp: a Windows
// plugin's randomness and wall clock answered from core/seeded.hpp's
// streams, which follow the job's seed (it crosses the pipe: host/
// instance_server.hpp), and its monotonic clocks, inside a call into it,
// from the instance's virtual clock (core/plugin_clock.hpp). Contained: only the import tables of the plugin's
// own modules change (every module loaded after pin() that is neither the
// worker's executable nor a file under the Windows folder, where wine's and
// Windows' DLLs live), and the lookups those modules make by GetProcAddress;
// no DLL of wine's or Windows' is touched, so the worker itself, JUCE and
// the system keep the real ones.
//
// Pinned, imported by name from the C runtimes (msvcrt.dll, msvcr*.dll,
// ucrtbase.dll, the api-ms-win-crt-* sets), kernel32, kernelbase, winmm,
// the api-ms-win-core-sysinfo-*, -profile-*, -realtime-*, -synch-*,
// -handle-* and -heap-* sets,
// api-ms-win-mm-time-*, advapi32, cryptbase, bcrypt, bcryptprimitives and
// msvcp*.dll, at load (import and delay-import tables) or through
// GetProcAddress:
//   rand, srand (one generator behind every C runtime, 0..32767 like
//   theirs); rand_s, SystemFunction036 (RtlGenRandom), BCryptGenRandom,
//   CryptGenRandom, ProcessPrng (one byte stream);
//   GetSystemTimeAsFileTime, GetSystemTimePreciseAsFileTime, GetSystemTime,
//   GetLocalTime, time, _time64, _time32, _timespec64_get,
//   _timespec32_get, _Xtime_get_ticks (std::chrono::system_clock), _ftime,
//   _ftime32, _ftime64, _ftime32_s, _ftime64_s: the instant
//   wall_clock_epoch + seed seconds at each pin(), moved on, on each
//   thread alone, only by what that thread waited (windows/
//   pinned_wall.hpp); GetLocalTime and _ftime give it as UTC (the pinned
//   clock has no time zone, whatever the machine's TZ);
//   on any thread, the waits Sleep, SleepEx, WaitForSingleObject(Ex),
//   WaitForMultipleObjects(Ex), SleepConditionVariableSRW and -CS, which
//   wait for real and move the thread's wall clock on by a length that ran
//   out (windows/pinned_clocks.hpp); SetWaitableTimer(Ex), whose absolute
//   due time of the pinned clock becomes the relative one it means, and
//   CancelWaitableTimer and CloseHandle, which forget a timer (windows/
//   pinned_timers.hpp); msvcp's _Thrd_sleep_for, _Thrd_sleep,
//   _Cnd_timedwait_for(_unchecked) and _Cnd_timedwait (windows/
//   pinned_msvcp.hpp);
//   on a thread inside a call into the plugin only (core/plugin_clock.hpp's
//   clock_inside(); windows/pinned_clocks.hpp), the monotonic clocks
//   QueryPerformanceCounter, QueryPerformanceFrequency (10 MHz),
//   _Query_perf_counter, _Query_perf_frequency (std::chrono::steady_clock),
//   GetTickCount, GetTickCount64, timeGetTime and
//   QueryUnbiasedInterruptTime: the instance's virtual clock, which the
//   waits above move on as they move the thread's wall clock. Anywhere
//   else (the plugin's own threads, the worker, wine) these clocks are the
//   real ones, so timers keep working;
//   the heap (windows/pinned_heap.hpp, with api-ms-win-core-heap-*):
//   GetProcessHeap, HeapCreate, HeapDestroy, HeapAlloc, HeapFree,
//   HeapReAlloc, HeapSize and the other Heap* functions given its handles,
//   malloc, calloc, realloc, free, _msize, _recalloc, _aligned_malloc,
//   _aligned_free, _aligned_realloc: on a thread inside a call into the
//   plugin, blocks of the plugin arena (windows/plugin_arena.hpp); freed,
//   sized and grown by address anywhere. The region is reserved when
//   pinning starts.
// Not pinned (render-one(1) lists them): a C runtime linked statically into
// the plugin (but what it asks of kernel32, its heap among it), RDRAND/RDSEED, RDTSC, system calls made directly (among them
// NtQuerySystemTime and NtQueryPerformanceCounter), the shared user page's
// clocks, the C runtime's clock(), other waits (MsgWaitForMultipleObjects,
// SignalObjectAndWait, a timer's completion routine), localtime's time
// zone, imports by ordinal, and what system DLLs draw for the plugin.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "windows/import_choice.hpp"

namespace vr::windows::pinned {

// Pins from now on (the first call) and puts every stream where `seed`
// says. Throws std::runtime_error when this Windows cannot tell us of
// loaded modules (then nothing is pinned).
void pin(std::uint32_t seed);
bool enabled();

// From now on, notes each module the loader loads (once, early: the
// Windows worker's main, before any plugin can load), so that the first
// pin() patches the plugin's modules loaded before it from that list
// instead of walking every module the process holds. Without it, pin()
// walks them.
void watch_loads();

// What a pinned module gets in place of dll's function `name`, which is
// `real` there (nullptr: the real one): for tests and the GetProcAddress
// hook.
void* replacement(const char* dll, const char* name, void* real);

// The bases of the plugin's own modules loaded now (those pin() patches).
std::vector<void*> plugin_modules();

// The randomness pins of pinned_imports.cpp, and GetProcAddress's (for
// windows/import_choice.cpp; the wall clock's are windows/
// pinned_wall.hpp's).
std::span<const pin_entry> pins();

}  // namespace vr::windows::pinned
