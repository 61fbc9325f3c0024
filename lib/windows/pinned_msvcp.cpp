// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/pinned_msvcp.hpp"

#include <windows.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>

#include "windows/pinned_clocks.hpp"
#include "windows/pinned_wall.hpp"

namespace vr::windows::pinned {

namespace {

// msvcp's xtime (_timespec64 in later headers): seconds since 1970 and
// nanoseconds.
struct xtime {
    std::int64_t sec;
    long nsec;
};
constexpr int timed_out = 2;  // _Thrd_timedout

using sleep_for_fn = void(__stdcall*)(unsigned long);
using cond_for_fn = int(__stdcall*)(void*, void*, unsigned int);
using sleep_fn = void(__cdecl*)(const xtime*);
using cond_fn = int(__cdecl*)(void*, void*, const xtime*);

// The library's own functions, as first bound.
std::atomic<cond_for_fn> g_cond_for{nullptr}, g_cond_for_unchecked{nullptr};
std::atomic<sleep_fn> g_sleep{nullptr};
std::atomic<cond_fn> g_cond{nullptr};

std::int64_t ticks_of(const xtime& t) {
    return (t.sec + filetime_to_unix_s) * ticks_per_second + t.nsec / 100;
}
xtime xtime_of(std::int64_t ticks) {
    const std::int64_t unix = ticks - filetime_to_unix_s * ticks_per_second;
    return {unix / ticks_per_second, static_cast<long>(unix % ticks_per_second * 100)};
}

std::int64_t real_ticks() {
    FILETIME t;
    GetSystemTimeAsFileTime(&t);  // the worker's own import: the real clock
    return static_cast<std::int64_t>(t.dwHighDateTime) << 32 | t.dwLowDateTime;
}

// An absolute deadline of the system clock on the calling thread: whether
// it is of the pinned clock (nearer the thread's reading `now` than the
// real clock's `real`).
bool pinned_deadline(std::int64_t deadline, std::int64_t now, std::int64_t real) {
    const auto distance = [](std::int64_t a, std::int64_t b) { return a > b ? a - b : b - a; };
    return distance(deadline, now) <= distance(deadline, real);
}

void __stdcall pinned_Thrd_sleep_for(unsigned long ms) {
    Sleep(ms);
    waited_out_ms(ms);
}

template <std::atomic<cond_for_fn>& real>
int __stdcall pinned_Cnd_timedwait_for(void* cond, void* mutex, unsigned int ms) {
    const int r = real.load(std::memory_order_relaxed)(cond, mutex, ms);
    if (r == timed_out) waited_out_ms(ms);
    return r;
}

void __cdecl pinned_Thrd_sleep(const xtime* until) {
    const std::int64_t deadline = ticks_of(*until), now = wall_ticks();
    if (!pinned_deadline(deadline, now, real_ticks())) return g_sleep.load(std::memory_order_relaxed)(until);
    if (deadline <= now) return;
    const std::int64_t ahead = deadline - now;
    Sleep(static_cast<DWORD>(std::min<std::int64_t>((ahead + ticks_per_ms - 1) / ticks_per_ms, INFINITE - 1)));
    waited_until_deadline(deadline, now);
}

int __cdecl pinned_Cnd_timedwait(void* cond, void* mutex, const xtime* until) {
    const cond_fn real = g_cond.load(std::memory_order_relaxed);
    if (!until) return real(cond, mutex, until);
    const std::int64_t deadline = ticks_of(*until), now = wall_ticks(), real_now = real_ticks();
    if (!pinned_deadline(deadline, now, real_now)) return real(cond, mutex, until);
    const xtime real_until = xtime_of(real_now + std::max<std::int64_t>(deadline - now, 0));
    const int r = real(cond, mutex, &real_until);
    if (r == timed_out) waited_until_deadline(deadline, now);
    return r;
}

// Keeps the first real function bound; ours, once one is known.
template <typename F>
void* wrap(std::atomic<F>& slot, void* real, void* with) {
    F expected = nullptr;
    if (real) slot.compare_exchange_strong(expected, reinterpret_cast<F>(real));
    return slot.load() ? with : nullptr;
}

}  // namespace

void* msvcp_replacement(const char* name, void* real) {
    if (std::strcmp(name, "_Thrd_sleep_for") == 0) return fn(pinned_Thrd_sleep_for);
    if (std::strcmp(name, "_Cnd_timedwait_for") == 0)
        return wrap(g_cond_for, real, fn(pinned_Cnd_timedwait_for<g_cond_for>));
    if (std::strcmp(name, "_Cnd_timedwait_for_unchecked") == 0)
        return wrap(g_cond_for_unchecked, real, fn(pinned_Cnd_timedwait_for<g_cond_for_unchecked>));
    if (std::strcmp(name, "_Thrd_sleep") == 0) return wrap(g_sleep, real, fn(pinned_Thrd_sleep));
    if (std::strcmp(name, "_Cnd_timedwait") == 0) return wrap(g_cond, real, fn(pinned_Cnd_timedwait));
    return nullptr;
}

std::vector<std::string_view> msvcp_names() {
    return {"_Thrd_sleep_for", "_Cnd_timedwait_for", "_Cnd_timedwait_for_unchecked", "_Thrd_sleep",
            "_Cnd_timedwait"};
}

}  // namespace vr::windows::pinned
