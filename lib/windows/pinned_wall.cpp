// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/pinned_wall.hpp"

#include <windows.h>

#include <algorithm>
#include <atomic>

#include "core/seeded.hpp"

namespace vr::windows::pinned {

namespace {

// A thread's slot holds, in 64 bits, the low 24 bits of the pin() its
// count is from and, below them, the count: how far its waits moved its
// clock past the job's instant, in ticks (40 bits: some 30 hours). A slot
// no thread wrote reads 0: the count 0 of the pin() numbered 0 (mod 2^24),
// which is as right as a stale count.
constexpr int count_bits = 40;
constexpr std::uint64_t count_mask = (std::uint64_t{1} << count_bits) - 1;
constexpr std::uint64_t pin_mask = (std::uint64_t{1} << (64 - count_bits)) - 1;

std::atomic<std::int64_t> g_base{(seeded::wall_clock_epoch + filetime_to_unix_s) * ticks_per_second};
std::atomic<std::uint64_t> g_pins{0};

// The slot, allocated as the worker starts (before any plugin loads);
// 0xFFFFFFFF: none, and every thread reads the job's instant.
std::uint32_t g_slot = 0xFFFFFFFF;
const bool allocated = [] {
    const DWORD slot = TlsAlloc();
    if (slot != TLS_OUT_OF_INDEXES) g_slot = static_cast<std::uint32_t>(slot);
    return slot != TLS_OUT_OF_INDEXES;
}();

// Read from the TEB's TlsSlots (0x1480 on x86-64) as core/thread_mark.hpp
// reads its own; TlsGetValue for a slot beyond the first 64 (it sets the
// thread's last error: the waits that answer by it keep theirs).
std::uint64_t slot_value() noexcept {
    const std::uint64_t slot = g_slot;
    if (slot >= 64) return slot == 0xFFFFFFFF ? 0 : reinterpret_cast<std::uintptr_t>(TlsGetValue(g_slot));
    std::uint64_t v;
    __asm__ volatile("movq %%gs:0x1480(,%1,8), %0" : "=r"(v) : "r"(slot));
    return v;
}

void set_slot_value(std::uint64_t v) noexcept {
    const std::uint64_t slot = g_slot;
    if (slot >= 64) {
        if (slot != 0xFFFFFFFF) TlsSetValue(g_slot, reinterpret_cast<void*>(static_cast<std::uintptr_t>(v)));
        return;
    }
    __asm__ volatile("movq %1, %%gs:0x1480(,%0,8)" : : "r"(slot), "r"(v) : "memory");
}

std::uint64_t current_pin() noexcept { return g_pins.load(std::memory_order_acquire) & pin_mask; }

// The calling thread's count as of the last pin(), or 0.
std::int64_t count(std::uint64_t v, std::uint64_t pin) noexcept {
    return (v >> count_bits) == pin ? static_cast<std::int64_t>(v & count_mask) : 0;
}

void set_count(std::uint64_t pin, std::int64_t ticks) noexcept {
    const auto c = static_cast<std::uint64_t>(std::clamp<std::int64_t>(ticks, 0, count_mask));
    set_slot_value(pin << count_bits | c);
}

}  // namespace

void set_wall_seconds(std::int64_t unix_seconds) noexcept {
    g_base.store((unix_seconds + filetime_to_unix_s) * ticks_per_second, std::memory_order_relaxed);
    g_pins.fetch_add(1, std::memory_order_release);
}

std::int64_t wall_ticks() noexcept {
    const std::uint64_t pin = current_pin();
    return g_base.load(std::memory_order_relaxed) + count(slot_value(), pin);
}

void wall_waited_ticks(std::int64_t ticks) noexcept {
    if (ticks <= 0) return;
    const std::uint64_t pin = current_pin();
    set_count(pin, count(slot_value(), pin) + ticks);
}

void wall_waited_until(std::int64_t deadline) noexcept {
    const std::uint64_t pin = current_pin();
    const std::int64_t now = count(slot_value(), pin);
    const std::int64_t to = deadline - g_base.load(std::memory_order_relaxed);
    if (to > now) set_count(pin, to);
}

namespace {

// The calling thread's pinned wall clock in ticks since 1970, and in whole
// seconds.
std::int64_t unix_ticks() { return wall_ticks() - filetime_to_unix_s * ticks_per_second; }
std::int64_t unix_seconds() { return unix_ticks() / ticks_per_second; }

// --- the answers -----------------------------------------------------------

void WINAPI pinned_GetSystemTimeAsFileTime(FILETIME* out) {
    const auto t = static_cast<std::uint64_t>(wall_ticks());
    out->dwLowDateTime = static_cast<DWORD>(t);
    out->dwHighDateTime = static_cast<DWORD>(t >> 32);
}
void WINAPI pinned_GetSystemTime(SYSTEMTIME* out) {
    FILETIME t;
    pinned_GetSystemTimeAsFileTime(&t);
    FileTimeToSystemTime(&t, out);
}
std::int64_t __cdecl pinned_time64(std::int64_t* out) {
    const std::int64_t t = unix_seconds();
    if (out) *out = t;
    return t;
}
std::int32_t __cdecl pinned_time32(std::int32_t* out) {
    const auto t = static_cast<std::int32_t>(unix_seconds());
    if (out) *out = t;
    return t;
}
struct timespec64 {
    std::int64_t tv_sec;
    long tv_nsec;
};
struct timespec32 {
    std::int32_t tv_sec;
    long tv_nsec;
};
constexpr int time_utc = 1;  // TIME_UTC
int __cdecl pinned_timespec64_get(timespec64* out, int base) {
    if (!out || base != time_utc) return 0;
    const std::int64_t t = unix_ticks();
    *out = {t / ticks_per_second, static_cast<long>(t % ticks_per_second * 100)};
    return base;
}
int __cdecl pinned_timespec32_get(timespec32* out, int base) {
    if (!out || base != time_utc) return 0;
    const std::int64_t t = unix_ticks();
    *out = {static_cast<std::int32_t>(t / ticks_per_second), static_cast<long>(t % ticks_per_second * 100)};
    return base;
}
// msvcp's clock behind std::chrono::system_clock: 100 ns since 1970.
long long __cdecl pinned_Xtime_get_ticks() { return unix_ticks(); }
// The _ftime family: the instant in seconds and milliseconds, in UTC (no
// minutes west, no daylight saving time). _ftime is _ftime64 in the x64
// runtimes.
template <typename Seconds>
struct timeb_of {
    Seconds time;
    unsigned short millitm;
    short timezone;
    short dstflag;
};
template <typename Seconds>
void __cdecl pinned_ftime(timeb_of<Seconds>* out) {
    const std::int64_t t = unix_ticks();
    if (out)
        *out = {static_cast<Seconds>(t / ticks_per_second),
                static_cast<unsigned short>(t % ticks_per_second / ticks_per_ms), 0, 0};
}
template <typename Seconds>
int __cdecl pinned_ftime_s(timeb_of<Seconds>* out) {
    if (!out) return 22;  // EINVAL
    pinned_ftime(out);
    return 0;
}

const pin_entry wall[] = {
    {"GetSystemTimeAsFileTime", fn(pinned_GetSystemTimeAsFileTime)},
    {"GetSystemTimePreciseAsFileTime", fn(pinned_GetSystemTimeAsFileTime)},
    {"GetSystemTime", fn(pinned_GetSystemTime)},
    {"GetLocalTime", fn(pinned_GetSystemTime)},
    {"time", fn(pinned_time64)},  // a 64-bit time_t in every x64 C runtime
    {"_time64", fn(pinned_time64)},
    {"_time32", fn(pinned_time32)},
    {"_timespec64_get", fn(pinned_timespec64_get)},
    {"_timespec32_get", fn(pinned_timespec32_get)},
    {"_Xtime_get_ticks", fn(pinned_Xtime_get_ticks)},
    {"_ftime", fn(pinned_ftime<std::int64_t>)},
    {"_ftime64", fn(pinned_ftime<std::int64_t>)},
    {"_ftime32", fn(pinned_ftime<std::int32_t>)},
    {"_ftime64_s", fn(pinned_ftime_s<std::int64_t>)},
    {"_ftime32_s", fn(pinned_ftime_s<std::int32_t>)},
};

}  // namespace

std::span<const pin_entry> wall_pins() { return wall; }

}  // namespace vr::windows::pinned
