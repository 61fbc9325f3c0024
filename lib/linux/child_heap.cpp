// SPDX-License-Identifier: GPL-3.0-or-later
#include "linux/child_heap.hpp"

#include <dlfcn.h>
#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "linux/plugin_arena.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define VR_CHILD_HEAP_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || __has_feature(thread_sanitizer)
#define VR_CHILD_HEAP_OFF 1
#endif
#endif

#ifndef VR_CHILD_HEAP_OFF

// glibc's own entry points, which ours call in the parent.
extern "C" {
void* __libc_malloc(std::size_t);
void __libc_free(void*);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
}

namespace {

// Every block starts with 16 bytes before the address handed out: how far
// the block's start lies behind it, and its size class. Blocks are kept 16
// bytes aligned, as glibc keeps them.
struct block_header {
    std::uint64_t offset;  // from the block's start to the address handed out
    std::uint32_t size_class;
    std::uint32_t fresh;  // never handed out before: its pages still read zero
};
constexpr std::size_t header_bytes = sizeof(block_header);
static_assert(header_bytes == 16);

// Size classes: 16 of 16 bytes up to 256, then four to each doubling, so a
// block wastes at most a fifth of itself.
constexpr std::size_t small_classes = 16;
constexpr std::size_t class_count = small_classes + 4 * 56;

std::size_t class_of(std::size_t bytes) {
    if (bytes <= 256) return bytes <= 16 ? 0 : (bytes + 15) / 16 - 1;
    const unsigned k = 63u - static_cast<unsigned>(__builtin_clzll(bytes - 1));  // 2^k < bytes <= 2^(k+1)
    const std::size_t step = std::size_t{1} << (k - 2);
    const std::size_t m = (bytes + step - 1) / step;  // 5..8
    return small_classes + (k - 8) * 4 + (m - 5);
}

std::size_t class_bytes(std::size_t c) {
    if (c < small_classes) return (c + 1) * 16;
    const std::size_t k = 8 + (c - small_classes) / 4, m = 5 + (c - small_classes) % 4;
    return m << (k - 2);
}

// Blocks this large give their pages back when freed.
constexpr std::size_t release_bytes = std::size_t{1} << 20;

struct child_heap {
    char* begin = nullptr;
    char* end = nullptr;
    char* next = nullptr;  // the region's untouched rest starts here
    void* free_blocks[class_count] = {};
    std::atomic_flag busy = ATOMIC_FLAG_INIT;
};

child_heap g_heap;
// Set once, in a child, before it has threads; the parent never sees it set.
bool g_in_child = false;

class heap_lock {
public:
    heap_lock() {
        while (g_heap.busy.test_and_set(std::memory_order_acquire)) ::sched_yield();
    }
    ~heap_lock() { g_heap.busy.clear(std::memory_order_release); }
    heap_lock(const heap_lock&) = delete;
    heap_lock& operator=(const heap_lock&) = delete;
};

bool ours(const void* p) {
    const char* c = static_cast<const char*>(p);
    return c >= g_heap.begin && c < g_heap.end;
}

block_header* header_of(void* p) { return reinterpret_cast<block_header*>(static_cast<char*>(p) - header_bytes); }

// Room for `bytes` at `align` (a power of two, at least 16), or nullptr when
// the region is spent; *fresh says whether its pages were never used.
void* take(std::size_t bytes, std::size_t align, bool* fresh) {
    const std::size_t slack = align > 16 ? align : 0;
    if (bytes > (std::size_t{1} << 46) - header_bytes - slack) return nullptr;
    const std::size_t c = class_of(bytes + header_bytes + slack);
    const std::size_t size = class_bytes(c);
    char* block = nullptr;
    bool untouched = false;
    {
        heap_lock lock;
        if (void* b = g_heap.free_blocks[c]) {
            block = static_cast<char*>(b);
            std::memcpy(&g_heap.free_blocks[c], block, sizeof(void*));
        } else if (static_cast<std::size_t>(g_heap.end - g_heap.next) >= size) {
            block = g_heap.next;
            g_heap.next += size;
            untouched = true;
        } else {
            return nullptr;
        }
    }
    auto at = reinterpret_cast<std::uintptr_t>(block) + header_bytes;
    at = (at + align - 1) & ~(static_cast<std::uintptr_t>(align) - 1);
    auto* p = reinterpret_cast<char*>(at);
    *header_of(p) = block_header{static_cast<std::uint64_t>(p - block), static_cast<std::uint32_t>(c), untouched};
    if (fresh) *fresh = untouched;
    return p;
}

std::size_t room(void* p) {
    const block_header* h = header_of(p);
    return class_bytes(h->size_class) - h->offset;
}

void give_back(void* p) {
    const block_header h = *header_of(p);
    char* block = static_cast<char*>(p) - h.offset;
    const std::size_t size = class_bytes(h.size_class);
    if (size >= release_bytes) {
        // Keep the first page: it holds the free list's link.
        static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
        auto from = (reinterpret_cast<std::uintptr_t>(block) + sizeof(void*) + page - 1) & ~(page - 1);
        auto to = (reinterpret_cast<std::uintptr_t>(block) + size) & ~(page - 1);
        if (to > from) (void)::madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
    }
    heap_lock lock;
    std::memcpy(block, &g_heap.free_blocks[h.size_class], sizeof(void*));
    g_heap.free_blocks[h.size_class] = block;
}

// The region is spent: glibc serves the child from here on (its blocks are
// never freed, which only costs the child's own memory).
void* child_alloc(std::size_t bytes, std::size_t align, bool* fresh = nullptr) {
    if (void* p = take(bytes, align, fresh)) return p;
    if (fresh) *fresh = false;
    void* p = align > 16 ? __libc_memalign(align, bytes) : __libc_malloc(bytes);
    if (!p) errno = ENOMEM;
    return p;
}

std::size_t glibc_usable_size(void* p) {
    using fn = std::size_t (*)(void*);
    static const fn usable = reinterpret_cast<fn>(::dlvsym(RTLD_NEXT, "malloc_usable_size", "GLIBC_2.2.5"));
    return usable ? usable(p) : 0;
}

bool power_of_two(std::size_t n) { return n && !(n & (n - 1)); }

}  // namespace

extern "C" {

// The plugin arena (linux/plugin_arena.hpp) comes first: a thread inside
// a plugin call allocates from it, and its blocks go back to it whoever
// frees them; then the child heap, then glibc.
void* malloc(std::size_t bytes) {
    if (vr::arena_wanted())
        if (void* p = vr::arena_alloc(bytes, 16)) return p;
    if (!g_in_child) return __libc_malloc(bytes);
    return child_alloc(bytes, 16);
}

void free(void* p) {
    if (vr::in_arena(p)) return vr::arena_free(p);
    if (!g_in_child) return __libc_free(p);
    if (p && ours(p)) give_back(p);
    // A block of the parent's: left where it is, unwritten.
}

void* calloc(std::size_t n, std::size_t size) {
    std::size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes)) {
        errno = ENOMEM;
        return nullptr;
    }
    if (vr::arena_wanted())
        if (void* p = vr::arena_alloc(bytes, 16)) return p;  // zeroed
    if (!g_in_child) return __libc_calloc(n, size);
    bool fresh = false;
    void* p = child_alloc(bytes, 16, &fresh);
    if (p && !fresh) std::memset(p, 0, bytes);
    return p;
}

void* realloc(void* p, std::size_t bytes) {
    if (p && bytes && (vr::in_arena(p) || vr::arena_wanted())) {
        const std::size_t had = vr::in_arena(p)       ? vr::arena_room(p)
                                : g_in_child && ours(p) ? room(p)
                                                        : glibc_usable_size(p);
        if (vr::in_arena(p) && bytes <= had) return p;
        void* q = malloc(bytes);
        if (!q) return nullptr;
        std::memcpy(q, p, had < bytes ? had : bytes);
        free(p);
        return q;
    }
    if (!g_in_child) return __libc_realloc(p, bytes);
    if (!p) return child_alloc(bytes, 16);
    if (bytes == 0) {
        free(p);
        return nullptr;
    }
    const bool mine = ours(p);
    const std::size_t had = mine ? room(p) : glibc_usable_size(p);
    if (mine && bytes <= had) return p;
    void* q = child_alloc(bytes, 16);
    if (!q) return nullptr;
    std::memcpy(q, p, had < bytes ? had : bytes);
    if (mine) give_back(p);
    return q;
}

void* reallocarray(void* p, std::size_t n, std::size_t size) {
    std::size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes)) {
        errno = ENOMEM;
        return nullptr;
    }
    return realloc(p, bytes);
}

void* memalign(std::size_t align, std::size_t bytes) {
    if (vr::arena_wanted() && power_of_two(align))
        if (void* p = vr::arena_alloc(bytes, align)) return p;
    if (!g_in_child) return __libc_memalign(align, bytes);
    if (!power_of_two(align)) {
        errno = EINVAL;
        return nullptr;
    }
    return child_alloc(bytes, align < 16 ? 16 : align);
}

void* aligned_alloc(std::size_t align, std::size_t bytes) { return memalign(align, bytes); }

int posix_memalign(void** out, std::size_t align, std::size_t bytes) {
    if (!power_of_two(align) || align % sizeof(void*) != 0) return EINVAL;
    const int saved = errno;
    void* p = memalign(align, bytes);
    if (!p) return ENOMEM;
    errno = saved;
    *out = p;
    return 0;
}

void* valloc(std::size_t bytes) { return memalign(static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)), bytes); }

void* pvalloc(std::size_t bytes) {
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    return memalign(page, (bytes + page - 1) / page * page);
}

std::size_t malloc_usable_size(void* p) {
    if (!p) return 0;
    if (vr::in_arena(p)) return vr::arena_room(p);
    if (g_in_child && ours(p)) return room(p);
    return glibc_usable_size(p);
}

}  // extern "C"

namespace vr {

bool enter_child_heap() noexcept {
    if (g_in_child) return true;
    if (const char* e = std::getenv("VR_CHILD_HEAP"); e && std::strcmp(e, "off") == 0) return false;
    // Address space only: a page is backed when first written, and never
    // shared with the parent. Smaller tries where the address space is
    // limited.
    for (std::size_t gib : {64, 8, 1}) {
        const std::size_t bytes = gib << 30;
        void* at = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (at == MAP_FAILED) continue;
        g_heap.begin = g_heap.next = static_cast<char*>(at);
        g_heap.end = g_heap.begin + bytes;
        g_in_child = true;
        return true;
    }
    return false;
}

bool in_child_heap(const void* p) noexcept { return g_in_child && ours(p); }

}  // namespace vr

#else  // a sanitizer owns malloc

namespace vr {

bool enter_child_heap() noexcept { return false; }
bool in_child_heap(const void*) noexcept { return false; }

}  // namespace vr

#endif
