// SPDX-License-Identifier: GPL-3.0-or-later
// One pointer each thread has, for core/plugin_clock.hpp's mark of the call
// into a plugin a thread is inside: read at every heap call, clock reading
// and wait of a pinned plugin, so it must be cheap to read.
//   - Linux: a thread_local (the thread pointer's segment, one load).
//   - Windows (the Windows worker): not a thread_local. GCC 12's mingw has
//     no native thread-local storage and emulates it: every read was
//     __emutls_get_address and winpthreads' pthread_getspecific, 29,000
//     instructions of a pinned JUCE one-off (bench/pinning_counts). The
//     mark is kept in a TLS slot of the system's instead, allocated as the
//     worker starts (windows/thread_mark.cpp) and read from the thread's
//     TEB, as MSVC-built code reads its own: TlsSlots lie at 0x1480 of the
//     TEB on x86-64 Windows and under wine. A slot beyond the TEB's 64 (or
//     none) is read through TlsGetValue.
// Header only on Linux.
#pragma once
#include <cstdint>

namespace vr::detail {

#ifdef _WIN32
// The slot; 64 or more (0xFFFFFFFF: none) is read through TlsGetValue.
extern std::uint32_t windows_mark_slot;
void* windows_mark_slow() noexcept;
void windows_set_mark_slow(void* mark) noexcept;

inline void* thread_mark() noexcept {
    const std::uint64_t slot = windows_mark_slot;
    if (slot >= 64) return windows_mark_slow();
    void* mark;
    __asm__ volatile("movq %%gs:0x1480(,%1,8), %0" : "=r"(mark) : "r"(slot));
    return mark;
}

inline void set_thread_mark(void* mark) noexcept {
    const std::uint64_t slot = windows_mark_slot;
    if (slot >= 64) return windows_set_mark_slow(mark);
    __asm__ volatile("movq %1, %%gs:0x1480(,%0,8)" : : "r"(slot), "r"(mark) : "memory");
}
#else
inline thread_local void* linux_mark = nullptr;
inline void* thread_mark() noexcept { return linux_mark; }
inline void set_thread_mark(void* mark) noexcept { linux_mark = mark; }
#endif

}  // namespace vr::detail
