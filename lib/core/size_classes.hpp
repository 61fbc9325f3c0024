// SPDX-License-Identifier: GPL-3.0-or-later
// The plugin arena's allocator, one for both systems: blocks handed out
// from a region the system reserved at a fixed address, by an algorithm
// that depends on nothing but the sizes asked and the blocks that are live,
// each zeroed (render-one(1), Reproducibility). linux/plugin_arena.hpp and
// windows/plugin_arena.hpp reserve the region and say when a thread
// allocates from it; this is what they share.
//
// Each size class, a power of two from 16 bytes to 256 MiB, has a span of
// 1 GiB of its own, its blocks in a row at multiples of their size (so
// every block is aligned to its size, the region being aligned to 1 GiB);
// an allocation takes the free block of lowest index of its class, so the
// blocks a call gets depend on which are live, never on the order earlier
// ones were freed. Blocks carry no header: free and room find a block's
// class from its address. The first span holds each class's bitmap of live
// blocks and a byte a block naming its owner (a heap of Windows'
// HeapCreate, say), so that one owner's blocks can all be freed at once.
//
// The head of each class of blocks up to 64 KiB (its first 64 KiB of
// blocks, at least 64 of them) lies not in the class's span but in the
// first span, the heads side by side from heads_at, their bitmap words
// together in the span's first page with the whole bitmaps of the larger
// classes: a plugin that takes a few blocks of each class touches one
// 16 MiB of the region and one page of bitmaps (and its larger blocks'
// rows), where it touched one of each a class (under wine each 16 MiB first
// committed is a reservation, about 3 us, and each its page of wine's
// records, and each page first written a fault: about 0.08 ms a pinned
// Windows worker for the 13 classes the JUCE test synth uses). Block i of
// such a class lies in its head when i is below the head's count, in its
// row at i times its size otherwise (the row's start stays unused).
//
// The system's pages: commit makes a range usable before it is first
// touched (a page never written reads zero; Linux maps on touch and needs
// nothing), discard gives a large block's pages back when it is freed (they
// read zero at their next commit). Both are called under the arena's lock.
//
// A snapshot and a restore put an arena back as it was (issue 46: the
// Windows worker's clean state per job, the arena as it was just after the
// plugin's module loaded, without a new process).
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace vr {

struct arena_pages {
    bool (*commit)(void* p, std::size_t bytes) noexcept;
    void (*discard)(void* p, std::size_t bytes) noexcept;
};

// What size_class_arena::restore needs to put an arena back as it was:
// each class's bookkeeping, its bitmap of live blocks and owner bytes, and
// the bytes of the blocks live then. It lives outside the arena (in the
// heap of whoever took it).
struct arena_snapshot {
    struct size_class {
        std::size_t lowest_free = 0;
        std::size_t end = 0;
        std::size_t committed = 0;
        bool operator==(const size_class&) const = default;
    };
    std::uintptr_t base = 0;            // the arena's; 0 when it was not started
    std::vector<size_class> classes;    // one a class; none when not started
    std::vector<std::uint64_t> bitmap;  // each class's words below its end, class after class
    std::vector<std::uint8_t> owners;   // each class's owner bytes below its end, class after class
    std::vector<char> bytes;            // the live blocks, class after class, lowest address first

    // Whether the two are the same arena in the same state, byte for byte.
    bool operator==(const arena_snapshot&) const = default;
};

class size_class_arena {
public:
    static constexpr std::size_t span = std::size_t{1} << 30;  // each class's
    static constexpr int classes = 25;                        // 16 B .. 256 MiB
    static constexpr std::size_t region_bytes = (classes + 1) * span;
    static constexpr std::size_t large_bytes = std::size_t{1} << 20;  // discarded when freed
    // Where the heads lie in the first span (size_classes.cpp lays them out).
    static constexpr std::size_t heads_at = std::size_t{4} << 20;
    static constexpr std::size_t heads_bytes = std::size_t{8512} << 10;

    // Whether the byte at offset from the region's base may be a block's.
    static constexpr bool holds(std::uintptr_t offset) noexcept {
        return (offset >= heads_at && offset < heads_at + heads_bytes) || (offset >= span && offset < region_bytes);
    }

    constexpr size_class_arena() = default;
    size_class_arena(const size_class_arena&) = delete;
    size_class_arena& operator=(const size_class_arena&) = delete;

    // Hands out blocks from the region_bytes reserved at base (aligned to
    // span) from now on. Once.
    void start(std::uintptr_t base, arena_pages pages) noexcept;

    // Whether start was called.
    bool started() const noexcept { return base_.load(std::memory_order_acquire) != 0; }

    // Whether p is a block of the arena (or inside one).
    bool contains(const void* p) const noexcept;

    // A zeroed block of at least bytes, aligned to align (a power of two),
    // owned by owner; nullptr when no class is that large, the class is
    // full or its pages cannot be committed.
    void* alloc(std::size_t bytes, std::size_t align, std::uint8_t owner = 0) noexcept;

    // Gives back the block p points into.
    void free(void* p) noexcept;

    // The bytes usable from p to its block's end.
    std::size_t room(const void* p) const noexcept;

    // Gives back every live block of owner.
    void free_owned(std::uint8_t owner) noexcept;

    // The arena as it is now (under its lock). An arena not started gives
    // an empty snapshot. Called outside any plugin call: the copy is
    // allocated under the lock, so the caller's allocations must not be
    // the arena's.
    arena_snapshot snapshot() const;

    // Puts the arena back as it was at s, taken of this arena: the blocks
    // live then are live again, with their owners and the bytes they held;
    // every block handed out since is free; and the allocator hands out
    // from now on exactly the addresses it would have handed out right
    // after the snapshot, every block zeroed as alloc promises. False (and
    // the arena unchanged as far as possible) when a page cannot be
    // committed, or when s is another arena's. Allocates nothing.
    bool restore(const arena_snapshot& s) noexcept;

    // The arena's lock, for a fork: held across it, no child inherits it
    // taken.
    void lock() const noexcept;
    void unlock() const noexcept;

private:
    struct size_class {
        std::size_t lowest_free = 0;  // no free block below this index
        std::size_t end = 0;          // blocks at and above this index were never handed out
        std::size_t committed = 0;    // bytes of blocks committed from the class's start
        std::size_t indexed = 0;      // blocks whose bitmap bits (and owner bytes, when owned) are committed
        // Some owner byte of the class may be other than 0. Until then none
        // is committed or written (owner 0's blocks are most): under wine
        // every page first written is a fault, 1.2 to 1.7 us on the 2-core
        // VM, a page a class, and every 16 MiB first committed a
        // reservation, about 3 us.
        bool owned = false;
    };

    // Class c's bitmap words: those of its head's blocks in the first
    // page, the rest at their place in its bitmap (whose first words stay
    // unused).
    struct class_bits {
        std::uint64_t* head;
        std::size_t head_words;
        std::uint64_t* rest;
        std::uint64_t& operator[](std::size_t word) const noexcept {
            return word < head_words ? head[word] : rest[word];
        }
    };

    class_bits bits(int c) const noexcept;
    std::uint8_t* owners(int c) const noexcept;
    char* head(int c) const noexcept;
    char* row(int c) const noexcept;
    char* block(int c, std::size_t i) const noexcept;
    int class_at(std::uintptr_t offset) const noexcept;
    bool commit_bits(int c, std::size_t from_word, std::size_t to_word) noexcept;
    bool commit_blocks(int c, std::size_t from, std::size_t to) noexcept;
    bool make_room(int c, std::size_t i) noexcept;
    bool take_owners(int c) noexcept;
    void release(int c, std::size_t i) noexcept;
    bool recommit(const arena_snapshot& s) noexcept;
    void put_back(int c, const arena_snapshot::size_class& was, const std::uint64_t* was_bits,
                  const std::uint8_t* was_owners, const char* was_bytes) noexcept;

    std::atomic<std::uintptr_t> base_{0};
    arena_pages pages_{};
    mutable std::atomic_flag busy_ = ATOMIC_FLAG_INIT;
    size_class classes_[classes]{};
};

}  // namespace vr
