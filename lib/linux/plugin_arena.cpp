// SPDX-License-Identifier: GPL-3.0-or-later
#include "linux/plugin_arena.hpp"

#include <pthread.h>
#include <sys/mman.h>

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

// Constant-initialized: malloc asks arena_wanted() before any constructor.
size_class_arena g_arena;

// Set in a forked child (pthread_atfork), which maps nothing ahead.
bool g_forked = false;

// The region was mapped MAP_NORESERVE: a page is there once touched. In
// the process that mapped it, what a class commits (its steps of 64 KiB;
// never a whole head of large blocks) is mapped now, in one call: a plugin
// that allocates as it loads (amsynth parses 30 banks) took a page fault
// for each page, 1,400 more than glibc's heap gave it, and on this kind of
// virtual machine each fault is slow. Not in a forked child: a job writes
// few of the pages a step holds, and each page mapped there is one more
// to copy and to tear down.
bool commit(void* p, std::size_t bytes) noexcept {
    if (bytes <= (std::size_t{64} << 10) && !g_forked)
        (void)::madvise(p, bytes, MADV_POPULATE_WRITE);
    return true;
}
void discard(void* p, std::size_t bytes) noexcept { (void)::madvise(p, bytes, MADV_DONTNEED); }

}  // namespace

bool start_arena() noexcept {
#ifdef VR_PLUGIN_ARENA_OFF
    return false;
#else
    static const bool started = [] {
        const char* off = std::getenv("VR_PLUGIN_ARENA");
        if (off && std::strcmp(off, "off") == 0) return false;
        const std::size_t bytes = size_class_arena::region_bytes;
        void* at = ::mmap(reinterpret_cast<void*>(arena_base), bytes, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
        if (at == MAP_FAILED) return false;
        if (at != reinterpret_cast<void*>(arena_base)) {  // a kernel older than MAP_FIXED_NOREPLACE
            ::munmap(at, bytes);
            return false;
        }
        // Transparent huge pages for the classes' rows, where the system
        // gives them for the asking (Debian's default): a row of blocks
        // takes one 2 MiB page where it took hundreds of 4 KiB ones, and a
        // plugin that walks its many blocks (amsynth copying the presets of
        // its 30 banks as it loads, each in a block of 4 KiB of its own)
        // missed the TLB at each where glibc packed them: its one-off 8% and
        // a batch job 3-5% faster, its worker 8 MB larger (bench/README.md,
        // issue 69). Not the first span (bitmaps, owners, heads of small
        // blocks): there a huge page held mostly pages never used, 11 MB
        // more for nothing measurable. Bytes and addresses are the same
        // either way.
        if (const char* huge = std::getenv("VR_ARENA_HUGE_PAGES"); !huge || std::strcmp(huge, "off") != 0)
            (void)::madvise(static_cast<char*>(at) + size_class_arena::span, bytes - size_class_arena::span,
                            MADV_HUGEPAGE);
        // A fork while another thread holds the lock would leave the child
        // a lock nobody releases: forks wait for it.
        ::pthread_atfork([] { g_arena.lock(); }, [] { g_arena.unlock(); },
                         [] {
                             g_forked = true;
                             g_arena.unlock();
                         });
        g_arena.start(arena_base, {commit, discard});
        return true;
    }();
    return started;
#endif
}

bool arena_started() noexcept { return g_arena.started(); }

void* arena_alloc(std::size_t bytes, std::size_t align) noexcept { return g_arena.alloc(bytes, align); }

void arena_free(void* p) noexcept { g_arena.free(p); }

std::size_t arena_room(const void* p) noexcept { return g_arena.room(p); }

}  // namespace vr
