// SPDX-License-Identifier: GPL-3.0-or-later
// Where core/size_classes.hpp's allocator keeps what, from the region's
// base: each class's head, row, bitmap words and owner bytes. Worked out
// at compile time (places); size_classes.cpp is the algorithm that hands
// blocks out of them.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/size_classes.hpp"

namespace vr::size_class_layout {

using arena = size_class_arena;

constexpr std::size_t block_size(int c) { return std::size_t{16} << c; }
// The class of a block of at least bytes.
constexpr int class_of(std::size_t bytes) {
    if (bytes <= 16) return 0;
    return 64 - __builtin_clzll(bytes - 1) - 4;  // 2^(c+4) >= bytes
}
constexpr std::size_t capacity(int c) { return arena::span / block_size(c); }

// The first span: from 0, one page of bitmap words: those of the heads'
// blocks, then the whole bitmaps of the classes that have no head (larger
// blocks, few of them); from heads_at, the heads, the largest first (so
// each lies at a multiple of its size); from bitmaps_at, the bitmaps of
// the classes that have a head (one bit a block, those of the head's
// blocks unused), class after class; from owners_at, a byte a block, class
// after class. Class c's row fills the span at base + (c + 1) GiB.
constexpr int head_classes = 13;  // blocks of 16 bytes to 64 KiB
constexpr std::size_t head_blocks(int c) {
    return c < head_classes ? std::max<std::size_t>(64, (std::size_t{64} << 10) / block_size(c)) : 0;
}
constexpr std::size_t head_bytes(int c) { return head_blocks(c) * block_size(c); }
constexpr std::size_t head_words(int c) { return head_blocks(c) / 64; }
constexpr std::size_t bitmap_bytes(int c) { return std::max<std::size_t>(8, capacity(c) / 8); }

// Where class c's words of the first page start (those of its head, or
// its whole bitmap).
constexpr std::size_t first_page_offset(int c) {
    std::size_t at = 0;
    for (int below = 0; below < c; ++below) at += below < head_classes ? head_words(below) * 8 : bitmap_bytes(below);
    return at;
}
constexpr std::size_t head_offset(int c) {
    std::size_t at = arena::heads_at;
    for (int above = head_classes - 1; above > c; --above) at += head_bytes(above);
    return at;
}
constexpr bool heads_aligned() {
    for (int c = 0; c < head_classes; ++c)
        if (head_offset(c) % head_bytes(c) != 0 || head_blocks(c) % 64 != 0) return false;
    return true;
}
static_assert(first_page_offset(arena::classes) <= 4096);
static_assert(head_offset(0) + head_bytes(0) == arena::heads_at + arena::heads_bytes);
static_assert(arena::heads_at + arena::heads_bytes <= std::size_t{16} << 20);
static_assert(heads_aligned());
static_assert(block_size(head_classes - 1) < arena::large_bytes);

// The bitmaps of the classes with a head, packed: under wine each 16 MiB
// the arena reserves costs a page of wine's own records
// (windows/plugin_arena.cpp), touched only once a class has outgrown its
// head.
constexpr std::size_t bitmaps_at = std::size_t{16} << 20;
constexpr std::size_t bitmap_offset(int c) {
    std::size_t at = 0;
    for (int below = 0; below < c; ++below) at += bitmap_bytes(below);
    return at;
}
constexpr std::size_t owners_at = std::size_t{256} << 20;
static_assert(bitmaps_at + bitmap_offset(head_classes) <= owners_at);
static_assert(owners_at + 2 * (arena::span / 16) <= arena::span);

// What the functions above give, for every class, worked out at compile
// time: they are loops, and every alloc and free asks (a profile of the
// Windows worker found the loops at 0.1 ms a one-off).
struct class_places {
    std::size_t head_blocks[arena::classes];
    std::size_t head[arena::classes];        // from the base
    std::size_t first_page[arena::classes];  // from the base
    std::size_t bitmap[arena::classes];      // from the base
    std::uint8_t head_class[arena::heads_bytes >> 16];  // the class of each 64 KiB of the heads
};
inline constexpr class_places places = [] {
    class_places p{};
    for (int c = 0; c < arena::classes; ++c) {
        p.head_blocks[c] = head_blocks(c);
        p.head[c] = head_offset(c);
        p.first_page[c] = first_page_offset(c);
        p.bitmap[c] = bitmaps_at + bitmap_offset(c);
    }
    for (int c = 0; c < head_classes; ++c)
        for (std::size_t at = head_offset(c); at < head_offset(c) + head_bytes(c); at += std::size_t{1} << 16)
            p.head_class[(at - arena::heads_at) >> 16] = static_cast<std::uint8_t>(c);
    return p;
}();
static_assert(head_bytes(0) % (std::size_t{1} << 16) == 0 && arena::heads_bytes % (std::size_t{1} << 16) == 0);

// Where class c's owner bytes start: after those of the classes below,
// 2^26 + 2^25 + ... blocks.
constexpr std::size_t owners_offset(int c) { return (std::size_t{1} << 27) - (std::size_t{1} << (27 - c)); }

// The bitmap words that hold the bits of blocks below end.
constexpr std::size_t words(std::size_t end) { return (end + 63) / 64; }

}  // namespace vr::size_class_layout
