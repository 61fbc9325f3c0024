// SPDX-License-Identifier: GPL-3.0-or-later
// The Windows worker's global operator new and delete: large blocks are
// kept for the next job rather than freed. Each render allocates a few
// blocks the size of its audio (the rendered samples, their copy into the
// answer, the CBOR message), and wine's heap gives a freed block at the top
// of its region back to the system past 64 KB, so every job took a page
// fault per 4 KB to make them again: two thirds of the worker's kernel
// time in a warm batch (README, Benchmark). Kept blocks stay committed.
// Only this executable's allocations come here; a plugin's own C runtime
// keeps its own heap.
#include <malloc.h>
#include <windows.h>

#include <cstddef>
#include <cstdlib>
#include <new>

namespace {

constexpr std::size_t kept_min = 64 * 1024;        // smaller blocks stay in wine's heap as they are
constexpr std::size_t kept_total_max = 64u << 20;  // what the kept blocks may hold in all
constexpr int kept_max = 8;

SRWLOCK g_lock = SRWLOCK_INIT;
void* g_kept[kept_max] = {};
std::size_t g_kept_size[kept_max] = {};
std::size_t g_kept_total = 0;

// A kept block of at least n bytes and at most twice that (the smallest
// such), or nullptr.
void* take_kept(std::size_t n) {
    AcquireSRWLockExclusive(&g_lock);
    int best = -1;
    for (int i = 0; i < kept_max; ++i)
        if (g_kept[i] && g_kept_size[i] >= n && g_kept_size[i] / 2 <= n &&
            (best < 0 || g_kept_size[i] < g_kept_size[best]))
            best = i;
    void* p = nullptr;
    if (best >= 0) {
        p = g_kept[best];
        g_kept[best] = nullptr;
        g_kept_total -= g_kept_size[best];
    }
    ReleaseSRWLockExclusive(&g_lock);
    return p;
}

// Keeps a large block if there is room; true when it was kept.
bool keep(void* p, std::size_t size) {
    AcquireSRWLockExclusive(&g_lock);
    bool kept = false;
    if (g_kept_total + size <= kept_total_max)
        for (int i = 0; i < kept_max && !kept; ++i)
            if (!g_kept[i]) {
                g_kept[i] = p;
                g_kept_size[i] = size;
                g_kept_total += size;
                kept = true;
            }
    ReleaseSRWLockExclusive(&g_lock);
    return kept;
}

void* allocate(std::size_t n) noexcept {
    if (n == 0) n = 1;
    if (n >= kept_min)
        if (void* p = take_kept(n)) return p;
    return std::malloc(n);
}

void release(void* p) noexcept {
    if (!p) return;
    const std::size_t size = _msize(p);
    if (size >= kept_min && keep(p, size)) return;
    std::free(p);
}

void* allocate_or_throw(std::size_t n) {
    for (;;) {
        if (void* p = allocate(n)) return p;
        std::new_handler handler = std::get_new_handler();
        if (!handler) throw std::bad_alloc();
        handler();
    }
}

}  // namespace

void* operator new(std::size_t n) { return allocate_or_throw(n); }
void* operator new[](std::size_t n) { return allocate_or_throw(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }
