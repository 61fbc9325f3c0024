// SPDX-License-Identifier: GPL-3.0-or-later
#include "linux/fixed_stack.hpp"

#include <pthread.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <emmintrin.h>

#include <atomic>
#include <cstring>
#include <fstream>

#if defined(__SANITIZE_ADDRESS__)
#define VR_FIXED_STACK_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || __has_feature(thread_sanitizer)
#define VR_FIXED_STACK_OFF 1
#endif
#endif

// vr_switch_stack(arg, fn, top): saves the callee-saved registers on the
// caller's stack, moves the stack pointer to top (16-byte aligned), keeps
// the caller's stack pointer in the two words below it, zeroes every other
// general register and xmm0..15 (so that nothing of the caller's reaches
// the plugin's spills), calls fn(arg) and comes back. fn never throws (its
// caller catches on the fixed stack), so no unwind information crosses it.
extern "C" void vr_switch_stack(void* arg, void (*fn)(void*), void* top) noexcept;
__asm__(R"(
    .text
    .p2align 4
    .type vr_switch_stack, @function
vr_switch_stack:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %rax
    mov %rdx, %rsp
    push %rax
    push %rax
    mov %rsi, %rax
    xor %ebx, %ebx
    xor %ebp, %ebp
    xor %ecx, %ecx
    xor %edx, %edx
    xor %esi, %esi
    xor %r8d, %r8d
    xor %r9d, %r9d
    xor %r10d, %r10d
    xor %r11d, %r11d
    xor %r12d, %r12d
    xor %r13d, %r13d
    xor %r14d, %r14d
    xor %r15d, %r15d
    pxor %xmm0, %xmm0
    pxor %xmm1, %xmm1
    pxor %xmm2, %xmm2
    pxor %xmm3, %xmm3
    pxor %xmm4, %xmm4
    pxor %xmm5, %xmm5
    pxor %xmm6, %xmm6
    pxor %xmm7, %xmm7
    pxor %xmm8, %xmm8
    pxor %xmm9, %xmm9
    pxor %xmm10, %xmm10
    pxor %xmm11, %xmm11
    pxor %xmm12, %xmm12
    pxor %xmm13, %xmm13
    pxor %xmm14, %xmm14
    pxor %xmm15, %xmm15
    call *%rax
    mov (%rsp), %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret
    .size vr_switch_stack, .-vr_switch_stack
)");

namespace vr {
namespace {

constexpr std::size_t guard_bytes = 1 << 16;  // PROT_NONE below the stack

std::atomic<bool> g_taken{false};
thread_local bool t_on_it = false;

char* stack_top() { return reinterpret_cast<char*>(fixed_stack_base + fixed_stack_bytes); }

bool map_stack() {
#ifdef VR_FIXED_STACK_OFF
    return false;
#else
    static const bool mapped = [] {
        const std::uintptr_t from = fixed_stack_base - guard_bytes;
        void* at = ::mmap(reinterpret_cast<void*>(from), guard_bytes + fixed_stack_bytes, PROT_NONE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
        if (at == MAP_FAILED) return false;
        if (at != reinterpret_cast<void*>(from)) {
            ::munmap(at, guard_bytes + fixed_stack_bytes);
            return false;
        }
        if (::mprotect(reinterpret_cast<void*>(fixed_stack_base), fixed_stack_bytes, PROT_READ | PROT_WRITE) != 0)
            return false;
        // A child forked while another thread was on the stack has the
        // stack free: that thread is not in it.
        ::pthread_atfork(nullptr, nullptr, [] { g_taken.store(t_on_it, std::memory_order_relaxed); });
        return true;
    }();
    return mapped;
#endif
}

constexpr std::size_t chunk = 256;

// Whether the chunk-aligned chunk at p is all zero (SSE2: GCC's -O2 keeps
// the plain loop scalar, four times slower).
bool zero_chunk(const char* p) {
    const auto* v = reinterpret_cast<const __m128i*>(p);
    __m128i any = _mm_load_si128(v);
    for (std::size_t i = 1; i < chunk / 16; ++i) any = _mm_or_si128(any, _mm_load_si128(v + i));
    return _mm_movemask_epi8(_mm_cmpeq_epi8(any, _mm_setzero_si128())) == 0xffff;
}

// Zeroes what the call left below the top, down to the last dirty chunk
// before clean_run clean bytes.
void clean() {
    char* const top = stack_top();
    const char* const bottom = reinterpret_cast<const char*>(fixed_stack_base);
    char* dirty = top;  // the lowest dirty chunk found
    for (char* p = top - chunk; p >= bottom && dirty - p <= static_cast<std::ptrdiff_t>(clean_run); p -= chunk)
        if (!zero_chunk(p)) dirty = p;
    std::memset(dirty, 0, static_cast<std::size_t>(top - dirty));
}

}  // namespace

bool fixed_stack_available() noexcept { return map_stack(); }

void run_on_fixed_stack(void (*fn)(void*), void* arg) noexcept {
    if (t_on_it || !map_stack() || g_taken.exchange(true, std::memory_order_acquire)) return fn(arg);
    t_on_it = true;
    vr_switch_stack(arg, fn, stack_top());
    clean();
    t_on_it = false;
    g_taken.store(false, std::memory_order_release);
}

bool addresses_fixed() noexcept {
    const int persona = ::personality(0xffffffff);
    if (persona != -1 && (persona & ADDR_NO_RANDOMIZE)) return true;
    std::ifstream in("/proc/sys/kernel/randomize_va_space");
    int level = -1;
    return in >> level && level == 0;
}

}  // namespace vr
