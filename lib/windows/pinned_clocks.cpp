// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/pinned_clocks.hpp"

#include <windows.h>
#include <mmsystem.h>

#include "core/plugin_clock.hpp"
#include "windows/clock_units.hpp"
#include "windows/pinned_imports.hpp"

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

// --- the waits: for real, then the virtual clock moves on by what ran out ---

// A wait of `ms` made inside a call lasted all of it.
void ran_out(DWORD ms) {
    if (plugin_clock* clock = virtual_clock()) units::waited_ms(*clock, ms);
}

void WINAPI pinned_Sleep(DWORD ms) {
    Sleep(ms);
    ran_out(ms);
}
// Woken early (an APC or I/O completion: WAIT_IO_COMPLETION), it is not
// known how long it slept: the clock stays.
DWORD WINAPI pinned_SleepEx(DWORD ms, BOOL alertable) {
    const DWORD r = SleepEx(ms, alertable);
    if (r == 0) ran_out(ms);
    return r;
}
DWORD WINAPI pinned_WaitForSingleObject(HANDLE h, DWORD ms) {
    const DWORD r = WaitForSingleObject(h, ms);
    if (r == WAIT_TIMEOUT) ran_out(ms);
    return r;
}
DWORD WINAPI pinned_WaitForSingleObjectEx(HANDLE h, DWORD ms, BOOL alertable) {
    const DWORD r = WaitForSingleObjectEx(h, ms, alertable);
    if (r == WAIT_TIMEOUT) ran_out(ms);
    return r;
}
DWORD WINAPI pinned_WaitForMultipleObjects(DWORD n, const HANDLE* handles, BOOL all, DWORD ms) {
    const DWORD r = WaitForMultipleObjects(n, handles, all, ms);
    if (r == WAIT_TIMEOUT) ran_out(ms);
    return r;
}
DWORD WINAPI pinned_WaitForMultipleObjectsEx(DWORD n, const HANDLE* handles, BOOL all, DWORD ms, BOOL alertable) {
    const DWORD r = WaitForMultipleObjectsEx(n, handles, all, ms, alertable);
    if (r == WAIT_TIMEOUT) ran_out(ms);
    return r;
}

template <typename F>
void* fn(F f) {
    return reinterpret_cast<void*>(f);
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
};

}  // namespace

std::span<const pin_entry> clock_pins() { return clocks; }

}  // namespace vr::windows::pinned
