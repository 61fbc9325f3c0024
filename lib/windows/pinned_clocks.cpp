// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/pinned_clocks.hpp"

#include <windows.h>
#include <mmsystem.h>

#include <algorithm>
#include <cstdint>

#include "core/plugin_clock.hpp"
#include "windows/clock_units.hpp"
#include "windows/pinned_imports.hpp"
#include "windows/pinned_timers.hpp"
#include "windows/pinned_wall.hpp"

namespace vr::windows::pinned {

namespace {

namespace units = clock_units;

// The virtual clock this thread answers from: its instance's while it is
// inside a call into the plugin and pinning is on, else none (the real
// clock).
plugin_clock* virtual_clock() {
    plugin_clock* clock = clock_inside();
    return clock && enabled() ? clock : nullptr;
}

// --- the clocks ------------------------------------------------------------

BOOL WINAPI pinned_QueryPerformanceCounter(LARGE_INTEGER* out) {
    plugin_clock* clock = virtual_clock();
    if (!clock || !out) return QueryPerformanceCounter(out);
    out->QuadPart = units::qpc_ticks(*clock);
    return TRUE;
}
BOOL WINAPI pinned_QueryPerformanceFrequency(LARGE_INTEGER* out) {
    if (!virtual_clock() || !out) return QueryPerformanceFrequency(out);
    out->QuadPart = units::qpc_frequency;
    return TRUE;
}
// msvcp140's clocks behind std::chrono::steady_clock.
long long __cdecl pinned_Query_perf_counter() {
    LARGE_INTEGER t;
    pinned_QueryPerformanceCounter(&t);
    return t.QuadPart;
}
long long __cdecl pinned_Query_perf_frequency() {
    LARGE_INTEGER f;
    pinned_QueryPerformanceFrequency(&f);
    return f.QuadPart;
}
DWORD WINAPI pinned_GetTickCount() {
    plugin_clock* clock = virtual_clock();
    return clock ? units::milliseconds32(*clock) : GetTickCount();
}
ULONGLONG WINAPI pinned_GetTickCount64() {
    plugin_clock* clock = virtual_clock();
    return clock ? units::milliseconds(*clock) : GetTickCount64();
}
DWORD WINAPI pinned_timeGetTime() {
    plugin_clock* clock = virtual_clock();
    return clock ? units::milliseconds32(*clock) : timeGetTime();
}
BOOL WINAPI pinned_QueryUnbiasedInterruptTime(ULONGLONG* out) {
    plugin_clock* clock = virtual_clock();
    if (!clock || !out) return QueryUnbiasedInterruptTime(out);
    *out = units::interrupt_time(*clock);
    return TRUE;
}

// --- the waits: for real, then the clocks move on by what ran out --------

// The calling thread's wall clock before a wait, when a pinned timer could
// end it (else 0: timers_set() is one load).
std::int64_t start_of_wait() { return timers_set() ? wall_ticks() : 0; }

// After a wait on n handles answered r: the latest deadline of the pinned
// timers among what signalled it (0 for a handle that is none).
void signalled(const HANDLE* handles, DWORD n, BOOL all, DWORD r, std::int64_t start) {
    if (!start || r >= WAIT_OBJECT_0 + n) return;
    std::int64_t deadline = 0;
    if (!all) deadline = timer_deadline(handles[r - WAIT_OBJECT_0], start);
    for (DWORD i = 0; all && i < n; ++i) deadline = std::max(deadline, timer_deadline(handles[i], start));
    waited_until_deadline(deadline, start);
}

void WINAPI pinned_Sleep(DWORD ms) {
    Sleep(ms);
    waited_out_ms(ms);
}
// Woken early (an APC or I/O completion: WAIT_IO_COMPLETION), it is not
// known how long it slept: the clocks stay.
DWORD WINAPI pinned_SleepEx(DWORD ms, BOOL alertable) {
    const DWORD r = SleepEx(ms, alertable);
    if (r == 0) waited_out_ms(ms);
    return r;
}
DWORD WINAPI pinned_WaitForSingleObject(HANDLE h, DWORD ms) {
    const std::int64_t start = start_of_wait();
    const DWORD r = WaitForSingleObject(h, ms);
    if (r == WAIT_TIMEOUT) waited_out_ms(ms);
    signalled(&h, 1, FALSE, r, start);
    return r;
}
DWORD WINAPI pinned_WaitForSingleObjectEx(HANDLE h, DWORD ms, BOOL alertable) {
    const std::int64_t start = start_of_wait();
    const DWORD r = WaitForSingleObjectEx(h, ms, alertable);
    if (r == WAIT_TIMEOUT) waited_out_ms(ms);
    signalled(&h, 1, FALSE, r, start);
    return r;
}
DWORD WINAPI pinned_WaitForMultipleObjects(DWORD n, const HANDLE* handles, BOOL all, DWORD ms) {
    const std::int64_t start = start_of_wait();
    const DWORD r = WaitForMultipleObjects(n, handles, all, ms);
    if (r == WAIT_TIMEOUT) waited_out_ms(ms);
    signalled(handles, n, all, r, start);
    return r;
}
DWORD WINAPI pinned_WaitForMultipleObjectsEx(DWORD n, const HANDLE* handles, BOOL all, DWORD ms, BOOL alertable) {
    const std::int64_t start = start_of_wait();
    const DWORD r = WaitForMultipleObjectsEx(n, handles, all, ms, alertable);
    if (r == WAIT_TIMEOUT) waited_out_ms(ms);
    signalled(handles, n, all, r, start);
    return r;
}
// The condition variables (MSVC's std::condition_variable waits on one in
// msvcp140, windows/pinned_msvcp.hpp): FALSE with ERROR_TIMEOUT when the
// wait ran out. The thread's last error is the wait's.
template <typename Lock, BOOL(WINAPI* real)(CONDITION_VARIABLE*, Lock*, DWORD, ULONG)>
BOOL WINAPI pinned_condition_wait(CONDITION_VARIABLE* c, Lock* lock, DWORD ms, ULONG flags) {
    const BOOL woken = real(c, lock, ms, flags);
    if (!woken) {
        const DWORD error = GetLastError();
        if (error == ERROR_TIMEOUT) waited_out_ms(ms);
        SetLastError(error);
    }
    return woken;
}
BOOL WINAPI condition_wait_srw(CONDITION_VARIABLE* c, SRWLOCK* lock, DWORD ms, ULONG flags) {
    return SleepConditionVariableSRW(c, lock, ms, flags);
}
BOOL WINAPI condition_wait_cs(CONDITION_VARIABLE* c, CRITICAL_SECTION* lock, DWORD ms, ULONG) {
    return SleepConditionVariableCS(c, lock, ms);
}
BOOL WINAPI pinned_SleepConditionVariableCS(CONDITION_VARIABLE* c, CRITICAL_SECTION* lock, DWORD ms) {
    return pinned_condition_wait<CRITICAL_SECTION, condition_wait_cs>(c, lock, ms, 0);
}

const pin_entry clocks[] = {
    {"QueryPerformanceCounter", fn(pinned_QueryPerformanceCounter)},
    {"QueryPerformanceFrequency", fn(pinned_QueryPerformanceFrequency)},
    {"_Query_perf_counter", fn(pinned_Query_perf_counter)},
    {"_Query_perf_frequency", fn(pinned_Query_perf_frequency)},
    {"GetTickCount", fn(pinned_GetTickCount)},
    {"GetTickCount64", fn(pinned_GetTickCount64)},
    {"timeGetTime", fn(pinned_timeGetTime)},
    {"QueryUnbiasedInterruptTime", fn(pinned_QueryUnbiasedInterruptTime)},
    {"Sleep", fn(pinned_Sleep)},
    {"SleepEx", fn(pinned_SleepEx)},
    {"WaitForSingleObject", fn(pinned_WaitForSingleObject)},
    {"WaitForSingleObjectEx", fn(pinned_WaitForSingleObjectEx)},
    {"WaitForMultipleObjects", fn(pinned_WaitForMultipleObjects)},
    {"WaitForMultipleObjectsEx", fn(pinned_WaitForMultipleObjectsEx)},
    {"SleepConditionVariableSRW", fn(pinned_condition_wait<SRWLOCK, condition_wait_srw>)},
    {"SleepConditionVariableCS", fn(pinned_SleepConditionVariableCS)},
};

}  // namespace

std::span<const pin_entry> clock_pins() { return clocks; }

void waited_out_ms(std::uint32_t ms) noexcept {
    if (ms == units::infinite || !enabled()) return;
    wall_waited_ticks(static_cast<std::int64_t>(ms) * ticks_per_ms);
    if (plugin_clock* clock = clock_inside()) units::waited_ms(*clock, ms);
}

void waited_until_deadline(std::int64_t deadline, std::int64_t start) noexcept {
    if (deadline <= start || !enabled()) return;
    wall_waited_until(deadline);
    if (plugin_clock* clock = clock_inside()) clock->waited((deadline - start) * units::ns_per_qpc_tick);
}

}  // namespace vr::windows::pinned
