// SPDX-License-Identifier: GPL-3.0-or-later
#include "linux/plugin_arena.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

#if defined(__SANITIZE_ADDRESS__)
#define VR_PLUGIN_ARENA_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || __has_feature(thread_sanitizer)
#define VR_PLUGIN_ARENA_OFF 1
#endif
#endif

namespace vr {
namespace {

// The region: the first span holds each class's bitmap of live blocks
// (class c's at c * bitmap_bytes: 2^26 blocks of 16 bytes at most, one bit
// each), then class c's blocks fill the span at arena_base + (c + 1) GiB.
constexpr std::size_t bitmap_bytes = (arena_span / 16) / 8;
static_assert(bitmap_bytes * arena_classes <= arena_span);
constexpr std::size_t large_bytes = std::size_t{1} << 20;

struct size_class {
    std::size_t lowest_free = 0;  // no free block below this index
    std::size_t end = 0;          // blocks at and above this index were never handed out
};

struct arena {
    std::atomic<bool> started{false};
    std::atomic_flag busy = ATOMIC_FLAG_INIT;
    size_class classes[arena_classes];
};

arena g_arena;

void take_lock() {
    while (g_arena.busy.test_and_set(std::memory_order_acquire)) ::sched_yield();
}

void drop_lock() { g_arena.busy.clear(std::memory_order_release); }

class arena_lock {
public:
    arena_lock() { take_lock(); }
    ~arena_lock() { drop_lock(); }
    arena_lock(const arena_lock&) = delete;
    arena_lock& operator=(const arena_lock&) = delete;
};

std::uint64_t* bitmap(int c) { return reinterpret_cast<std::uint64_t*>(arena_base + c * bitmap_bytes); }
char* blocks(int c) { return reinterpret_cast<char*>(arena_base + (c + 1) * arena_span); }
std::size_t block_size(int c) { return std::size_t{16} << c; }
std::size_t capacity(int c) { return arena_span / block_size(c); }

int class_of(std::size_t bytes) {
    if (bytes <= 16) return 0;
    return 64 - __builtin_clzll(bytes - 1) - 4;  // 2^(c+4) >= bytes
}

int class_of_address(const void* p) {
    return static_cast<int>((reinterpret_cast<std::uintptr_t>(p) - arena_base) / arena_span) - 1;
}

std::size_t index_of(int c, const void* p) {
    return static_cast<std::size_t>(static_cast<const char*>(p) - blocks(c)) / block_size(c);
}

}  // namespace

bool start_arena() noexcept {
#ifdef VR_PLUGIN_ARENA_OFF
    return false;
#else
    static const bool started = [] {
        const char* off = std::getenv("VR_PLUGIN_ARENA");
        if (off && std::strcmp(off, "off") == 0) return false;
        const std::size_t bytes = (arena_classes + 1) * arena_span;
        void* at = ::mmap(reinterpret_cast<void*>(arena_base), bytes, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
        if (at == MAP_FAILED) return false;
        if (at != reinterpret_cast<void*>(arena_base)) {  // a kernel older than MAP_FIXED_NOREPLACE
            ::munmap(at, bytes);
            return false;
        }
        // A fork while another thread holds the lock would leave the child
        // a lock nobody releases: forks wait for it.
        ::pthread_atfork([] { take_lock(); }, [] { drop_lock(); }, [] { drop_lock(); });
        g_arena.started.store(true, std::memory_order_release);
        return true;
    }();
    return started;
#endif
}

bool arena_started() noexcept { return g_arena.started.load(std::memory_order_relaxed); }

void* arena_alloc(std::size_t bytes, std::size_t align) noexcept {
    const int c = class_of(bytes > align ? bytes : align);
    if (c >= arena_classes) return nullptr;
    std::uint64_t* bits = bitmap(c);
    size_class& k = g_arena.classes[c];
    std::size_t i;
    bool fresh = false;
    {
        arena_lock lock;
        i = k.lowest_free;
        while (i < k.end) {  // the first clear bit from lowest_free on
            const std::uint64_t free_bits = ~bits[i / 64] >> (i % 64);
            if (free_bits) {
                i += static_cast<std::size_t>(__builtin_ctzll(free_bits));
                break;
            }
            i = (i / 64 + 1) * 64;
        }
        if (i >= k.end) {
            i = k.end;
            if (i >= capacity(c)) return nullptr;
            k.end = i + 1;
            fresh = true;
        }
        bits[i / 64] |= std::uint64_t{1} << (i % 64);
        k.lowest_free = i + 1;
    }
    char* p = blocks(c) + i * block_size(c);
    // A fresh block still holds the kernel's zeros, and so does a large one
    // (arena_free gave its pages back).
    if (!fresh && block_size(c) < large_bytes) std::memset(p, 0, block_size(c));
    return p;
}

void arena_free(void* p) noexcept {
    const int c = class_of_address(p);
    const std::size_t i = index_of(c, p);
    char* block = blocks(c) + i * block_size(c);
    if (block_size(c) >= large_bytes)  // large: give the pages back (they read zero again)
        (void)::madvise(block, block_size(c), MADV_DONTNEED);
    arena_lock lock;
    size_class& k = g_arena.classes[c];
    bitmap(c)[i / 64] &= ~(std::uint64_t{1} << (i % 64));
    if (i < k.lowest_free) k.lowest_free = i;
}

std::size_t arena_room(const void* p) noexcept {
    const int c = class_of_address(p);
    const char* block = blocks(c) + index_of(c, p) * block_size(c);
    return block_size(c) - static_cast<std::size_t>(static_cast<const char*>(p) - block);
}

}  // namespace vr
