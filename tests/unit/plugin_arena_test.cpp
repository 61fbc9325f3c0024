// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for linux/plugin_arena and linux/fixed_stack: what a thread
// allocates inside a plugin call lands at the same addresses for the same
// sequence whatever happened outside, zeroed and aligned; blocks cross the
// call's boundary both ways; calls run on the fixed stack, which each entry
// finds zeroed. Skipped in a sanitized build (the sanitizer owns malloc and
// the stack).
#include <gtest/gtest.h>

#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <string>
#include <stdexcept>
#include <vector>

#include "linux/child_heap.hpp"
#include "linux/fixed_stack.hpp"
#include "linux/plugin_arena.hpp"
#include "sanitized.hpp"

namespace {

using vr::test::sanitized;

#define NEEDS_ARENA()                                                                   \
    if (sanitized) GTEST_SKIP() << "sanitized build: no plugin arena or fixed stack"; \
    ASSERT_TRUE(vr::start_arena())

// A plugin's allocations: sizes of several classes, some freed on the way.
std::vector<std::uintptr_t> plugin_sequence() {
    std::vector<std::uintptr_t> seen;
    seen.reserve(64);
    void* kept[12];
    {
        vr::in_arena_scope inside;
        for (int i = 0; i < 12; ++i) {
            kept[i] = std::malloc(static_cast<std::size_t>(24 + 100 * i));
            seen.push_back(reinterpret_cast<std::uintptr_t>(kept[i]));
        }
        for (int i = 0; i < 12; i += 3) std::free(kept[i]);
        for (int i = 0; i < 12; i += 3) {
            kept[i] = std::calloc(1, static_cast<std::size_t>(24 + 100 * i));
            seen.push_back(reinterpret_cast<std::uintptr_t>(kept[i]));
        }
        for (int i = 11; i >= 0; --i) std::free(kept[i]);
    }
    return seen;
}

TEST(PluginArena, TheSameSequenceGetsTheSameAddressesWhateverHappenedOutside) {
    NEEDS_ARENA();
    const auto first = plugin_sequence();
    std::vector<void*> outside;
    for (int i = 0; i < 100; ++i) outside.push_back(std::malloc(static_cast<std::size_t>(i * 37 + 1)));
    void* live_inside;
    {
        vr::in_arena_scope inside;  // a block another call allocated and freed meanwhile, in another order
        void* a = std::malloc(40);
        void* b = std::malloc(40);
        live_inside = std::malloc(5000);
        std::free(a);
        std::free(b);
    }
    std::free(live_inside);
    const auto second = plugin_sequence();
    for (void* p : outside) std::free(p);
    EXPECT_EQ(first, second);
    for (auto a : first) EXPECT_TRUE(vr::in_arena(reinterpret_cast<void*>(a)));
}

TEST(PluginArena, BlocksComeZeroedThoughUsedBefore) {
    NEEDS_ARENA();
    unsigned char* p;
    unsigned char* q;
    bool zero = true;
    {
        vr::in_arena_scope inside;
        p = static_cast<unsigned char*>(std::malloc(200));
        std::memset(p, 0xa5, 200);
        __asm__ volatile("" : : "r"(p) : "memory");  // the writes happen
        std::free(p);
        q = static_cast<unsigned char*>(std::malloc(200));
        __asm__ volatile("" : : "r"(q) : "memory");  // as if written: reads what is there
        for (int i = 0; i < 200; ++i) zero = zero && q[i] == 0;
        std::free(q);
    }
    EXPECT_EQ(p, q);
    EXPECT_TRUE(zero);
}

TEST(PluginArena, BlocksCrossTheCallBothWays) {
    NEEDS_ARENA();
    char* outside = static_cast<char*>(std::malloc(100));
    std::strcpy(outside, "made outside");
    char* grown;
    char* inside_block;
    {
        vr::in_arena_scope inside;
        grown = static_cast<char*>(std::realloc(outside, 3000));  // moves into the arena
        inside_block = static_cast<char*>(std::malloc(64));
        std::strcpy(inside_block, "made inside");
    }
    EXPECT_TRUE(vr::in_arena(grown));
    EXPECT_STREQ(grown, "made outside");
    EXPECT_GE(malloc_usable_size(grown), 3000u);
    const auto grown_at = reinterpret_cast<std::uintptr_t>(grown);
    char* shrunk = static_cast<char*>(std::realloc(grown, 10));  // stays where it is
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(shrunk), grown_at);
    char* moved = static_cast<char*>(std::realloc(inside_block, 100000));  // leaves the arena
    EXPECT_FALSE(vr::in_arena(moved));
    EXPECT_STREQ(moved, "made inside");
    std::free(shrunk);
    std::free(moved);
}

TEST(PluginArena, AlignmentIsKept) {
    NEEDS_ARENA();
    std::vector<void*> blocks;
    std::vector<std::uintptr_t> misaligned;
    {
        vr::in_arena_scope inside;
        for (std::size_t align : {16u, 64u, 4096u, 65536u}) {
            void* p = nullptr;
            if (posix_memalign(&p, align, 10) == 0) blocks.push_back(p);
            if (reinterpret_cast<std::uintptr_t>(p) % align) misaligned.push_back(align);
            void* q = std::aligned_alloc(align, align * 2);
            blocks.push_back(q);
            if (reinterpret_cast<std::uintptr_t>(q) % align) misaligned.push_back(align);
        }
        for (std::size_t n = 1; n < 5000; n = n * 3 + 1) {
            blocks.push_back(std::malloc(n));
            if (reinterpret_cast<std::uintptr_t>(blocks.back()) % 16) misaligned.push_back(n);
        }
    }
    EXPECT_TRUE(misaligned.empty());
    for (void* p : blocks) {
        EXPECT_TRUE(vr::in_arena(p));
        std::free(p);
    }
}

// What a plugin call in a forked child allocates, its child heap entered or
// not, lands where the same call in the parent would: the child inherits
// the arena's state.
TEST(PluginArena, AForkedChildAllocatesWhereItsParentWould) {
    NEEDS_ARENA();
    void* kept;
    {
        vr::in_arena_scope inside;
        kept = std::malloc(300);
    }
    for (bool child_heap : {false, true}) {
        int fds[2];
        ASSERT_EQ(::pipe(fds), 0);
        const pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            if (child_heap) vr::enter_child_heap();
            void* p;
            void* outside = std::malloc(300);  // the child heap's or glibc's
            {
                vr::in_arena_scope inside;
                p = std::malloc(300);
            }
            std::free(outside);
            const auto at = reinterpret_cast<std::uintptr_t>(p);
            ::_exit(::write(fds[1], &at, sizeof at) == sizeof at ? 0 : 1);
        }
        ::close(fds[1]);
        std::uintptr_t child_at = 0;
        EXPECT_EQ(::read(fds[0], &child_at, sizeof child_at), static_cast<ssize_t>(sizeof child_at));
        ::close(fds[0]);
        int status = 0;
        ::waitpid(pid, &status, 0);
        void* p;
        {
            vr::in_arena_scope inside;
            p = std::malloc(300);
        }
        EXPECT_EQ(child_at, reinterpret_cast<std::uintptr_t>(p)) << (child_heap ? "child heap entered" : "glibc's heap");
        std::free(p);
    }
    std::free(kept);
}

// The rows of the arena's region are advised for transparent huge pages
// (madvise's MADV_HUGEPAGE: "hg" among their flags in /proc/self/smaps),
// the first span (bitmaps, heads) not, and neither with
// VR_ARENA_HUGE_PAGES=off in the environment as the process started it.
std::string arena_flags(std::uintptr_t at) {
    std::ifstream smaps("/proc/self/smaps");
    char start[32];
    std::snprintf(start, sizeof start, "%lx-", static_cast<unsigned long>(at));
    std::string line;
    bool here = false;
    while (std::getline(smaps, line)) {
        // A mapping's heading: "from-to perms offset dev inode path".
        const std::size_t space = line.find(' ');
        if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) && space != std::string::npos &&
            line.find(':') > space)
            here = line.rfind(start, 0) == 0;
        if (here && line.rfind("VmFlags:", 0) == 0) return line + " ";
    }
    return "";
}

TEST(PluginArena, ItsRowsAskForHugePagesUnlessTurnedOff) {
    NEEDS_ARENA();
    const char* off = std::getenv("VR_ARENA_HUGE_PAGES");
    const bool huge = !(off && std::strcmp(off, "off") == 0);
    const std::string first = arena_flags(vr::arena_base);
    ASSERT_FALSE(first.empty()) << "no mapping at the arena's base in /proc/self/smaps";
    EXPECT_EQ(first.find(" hg "), std::string::npos) << first;
    // Without the advice the region is one mapping; with it, two.
    const std::string rows = arena_flags(vr::arena_base + vr::size_class_arena::span);
    if (huge) {
        ASSERT_FALSE(rows.empty()) << "the rows are not a mapping of their own";
        EXPECT_NE(rows.find(" hg "), std::string::npos) << rows;
    } else {
        EXPECT_TRUE(rows.empty()) << rows;
    }
}

// The fixed stack.
std::uintptr_t g_local_at;

__attribute__((noinline)) void dirty(void*) {
    volatile unsigned char bytes[2048];
    for (int i = 0; i < 2048; ++i) bytes[i] = static_cast<unsigned char>(i | 1);
    g_local_at = reinterpret_cast<std::uintptr_t>(&bytes[0]);
}

__attribute__((noinline)) void read_unwritten(void* out) {
    unsigned char bytes[2048];
    __asm__ volatile("" : : "r"(bytes) : "memory");
    unsigned sum = 0;
    for (unsigned char b : bytes) sum += b;
    *static_cast<unsigned*>(out) = sum;
}

TEST(FixedStack, CallsRunOnItAndFindItZeroed) {
    if (sanitized) GTEST_SKIP() << "sanitized build: calls run on their own stack";
    ASSERT_TRUE(vr::fixed_stack_available());
    vr::run_on_fixed_stack(dirty, nullptr);
    const std::uintptr_t first = g_local_at;
    EXPECT_GE(first, vr::fixed_stack_base);
    EXPECT_LT(first, vr::fixed_stack_base + vr::fixed_stack_bytes);
    unsigned sum = 1;
    vr::run_on_fixed_stack(read_unwritten, &sum);
    EXPECT_EQ(sum, 0u);
    volatile char pad[3000];  // called from elsewhere on the caller's stack
    pad[0] = 1;
    EXPECT_EQ(pad[0], 1);
    vr::run_on_fixed_stack(dirty, nullptr);
    EXPECT_EQ(g_local_at, first);
}

TEST(FixedStack, ValuesAndExceptionsComeBack) {
    int n = 41;
    auto add = [&] { return n + 1; };
    EXPECT_EQ(vr::on_fixed_stack(add), 42);
    auto ref = [&]() -> int& { return n; };
    vr::on_fixed_stack(ref) = 7;
    EXPECT_EQ(n, 7);
    auto throws = [] { throw std::runtime_error("from the plugin"); };
    EXPECT_THROW(vr::on_fixed_stack(throws), std::runtime_error);
    auto nested = [] {
        auto inner = [] { return 3; };
        return vr::on_fixed_stack(inner) + 1;
    };
    EXPECT_EQ(vr::on_fixed_stack(nested), 4);
}

}  // namespace
