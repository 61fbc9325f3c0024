// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/pinned_timers.hpp"

#include <atomic>

#include "windows/pinned_imports.hpp"
#include "windows/pinned_wall.hpp"

namespace vr::windows::pinned {

namespace {

// The timers whose deadlines are kept: a few a plugin, so a small table
// under a lock; a timer beyond it fires as set, and a wait on it moves no
// clock.
struct kept_timer {
    HANDLE handle = nullptr;
    std::int64_t deadline = 0;  // its first
    std::int64_t period = 0;    // then every so many ticks (0: once)
};
constexpr int max_timers = 64;
SRWLOCK g_lock = SRWLOCK_INIT;
kept_timer g_timers[max_timers];
std::atomic<int> g_kept{0};

void keep(HANDLE h, std::int64_t deadline, std::int64_t period) {
    AcquireSRWLockExclusive(&g_lock);
    kept_timer* free = nullptr;
    kept_timer* found = nullptr;
    for (kept_timer& t : g_timers) {
        if (t.handle == h) found = &t;
        if (!t.handle && !free) free = &t;
    }
    if (!found && free) {
        found = free;
        found->handle = h;
        g_kept.fetch_add(1, std::memory_order_relaxed);
    }
    if (found) {
        found->deadline = deadline;
        found->period = period;
    }
    ReleaseSRWLockExclusive(&g_lock);
}

void forget(HANDLE h) {
    if (!timers_set()) return;
    AcquireSRWLockExclusive(&g_lock);
    for (kept_timer& t : g_timers)
        if (t.handle == h) {
            t = {};
            g_kept.fetch_sub(1, std::memory_order_relaxed);
        }
    ReleaseSRWLockExclusive(&g_lock);
}

std::int64_t distance(std::int64_t a, std::int64_t b) { return a > b ? a - b : b - a; }

// What Windows is handed for the due time `due` set on the calling thread,
// and the pinned deadline kept for the timer (0: none).
struct pinned_due {
    std::int64_t due;
    std::int64_t deadline;
};
pinned_due due_of(std::int64_t due) {
    const std::int64_t now = wall_ticks();
    if (due < 0) return {due, now - due};  // relative: as it is
    if (due == 0) return {due, 0};
    FILETIME real;
    GetSystemTimeAsFileTime(&real);  // the worker's own import: the real clock
    const std::int64_t real_now = static_cast<std::int64_t>(real.dwHighDateTime) << 32 | real.dwLowDateTime;
    if (distance(due, real_now) < distance(due, now)) return {due, 0};  // a deadline of the real clock
    // Of the pinned clock: that far ahead, relatively; at once (an instant
    // passed on the real clock too) if it has passed.
    return {due > now ? now - due : due, due};
}

// The due time handed on for timer h, its deadline (and period, in ms)
// kept or forgotten.
LARGE_INTEGER set_due(HANDLE h, const LARGE_INTEGER* due, LONG period) {
    if (!enabled() || !due) return due ? *due : LARGE_INTEGER{};
    const pinned_due d = due_of(due->QuadPart);
    if (d.deadline)
        keep(h, d.deadline, period > 0 ? period * ticks_per_ms : 0);
    else
        forget(h);
    LARGE_INTEGER out;
    out.QuadPart = d.due;
    return out;
}

BOOL WINAPI pinned_SetWaitableTimer(HANDLE h, const LARGE_INTEGER* due, LONG period, PTIMERAPCROUTINE routine,
                                    void* arg, BOOL resume) {
    const LARGE_INTEGER d = set_due(h, due, period);
    return SetWaitableTimer(h, due ? &d : nullptr, period, routine, arg, resume);
}
BOOL WINAPI pinned_SetWaitableTimerEx(HANDLE h, const LARGE_INTEGER* due, LONG period, PTIMERAPCROUTINE routine,
                                      void* arg, PREASON_CONTEXT reason, ULONG delay) {
    const LARGE_INTEGER d = set_due(h, due, period);
    return SetWaitableTimerEx(h, due ? &d : nullptr, period, routine, arg, reason, delay);
}
BOOL WINAPI pinned_CancelWaitableTimer(HANDLE h) {
    forget(h);
    return CancelWaitableTimer(h);
}
BOOL WINAPI pinned_CloseHandle(HANDLE h) {
    forget(h);
    return CloseHandle(h);
}

const pin_entry timers[] = {
    {"SetWaitableTimer", fn(pinned_SetWaitableTimer)},
    {"SetWaitableTimerEx", fn(pinned_SetWaitableTimerEx)},
    {"CancelWaitableTimer", fn(pinned_CancelWaitableTimer)},
    {"CloseHandle", fn(pinned_CloseHandle)},
};

}  // namespace

std::span<const pin_entry> timer_pins() { return timers; }

bool timers_set() noexcept { return g_kept.load(std::memory_order_relaxed) > 0; }

std::int64_t timer_deadline(HANDLE h, std::int64_t after) noexcept {
    if (!timers_set()) return 0;
    kept_timer found;
    AcquireSRWLockShared(&g_lock);
    for (const kept_timer& t : g_timers)
        if (t.handle == h) found = t;
    ReleaseSRWLockShared(&g_lock);
    if (found.period > 0 && found.deadline <= after)
        return found.deadline + ((after - found.deadline) / found.period + 1) * found.period;
    return found.deadline;
}

void forget_timers() noexcept {
    if (!timers_set()) return;
    AcquireSRWLockExclusive(&g_lock);
    for (kept_timer& t : g_timers) t = {};
    g_kept.store(0, std::memory_order_relaxed);
    ReleaseSRWLockExclusive(&g_lock);
}

}  // namespace vr::windows::pinned
