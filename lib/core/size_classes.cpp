// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/size_classes.hpp"

#include <algorithm>
#include <cstring>
#include <thread>

namespace vr {
namespace {

using arena = size_class_arena;

// The first span: class c's bitmap of live blocks at c * bitmap_bytes (2^26
// blocks of 16 bytes at most, one bit each), then from owners_at a byte a
// block, class after class; class c's blocks fill the span at base +
// (c + 1) GiB.
constexpr std::size_t bitmap_bytes = (arena::span / 16) / 8;
constexpr std::size_t owners_at = std::size_t{256} << 20;
static_assert(bitmap_bytes * arena::classes <= owners_at);
static_assert(owners_at + 2 * (arena::span / 16) <= arena::span);

// Bitmap bits and owner bytes are committed this many blocks at a time,
// blocks at least this many bytes at a time.
constexpr std::size_t index_step = std::size_t{1} << 16;
constexpr std::size_t commit_step = std::size_t{64} << 10;

std::size_t block_size(int c) { return std::size_t{16} << c; }
std::size_t capacity(int c) { return arena::span / block_size(c); }

// Where class c's owner bytes start: after those of the classes below,
// 2^26 + 2^25 + ... blocks.
std::size_t owners_offset(int c) { return (std::size_t{1} << 27) - (std::size_t{1} << (27 - c)); }

int class_of(std::size_t bytes) {
    if (bytes <= 16) return 0;
    return 64 - __builtin_clzll(bytes - 1) - 4;  // 2^(c+4) >= bytes
}

std::size_t round_up(std::size_t n, std::size_t step) { return (n + step - 1) / step * step; }

class held {
public:
    explicit held(arena& a) : a_(a) { a_.lock(); }
    ~held() { a_.unlock(); }
    held(const held&) = delete;
    held& operator=(const held&) = delete;

private:
    arena& a_;
};

}  // namespace

void arena::start(std::uintptr_t base, arena_pages pages) noexcept {
    pages_ = pages;
    base_.store(base, std::memory_order_release);
}

void arena::lock() noexcept {
    while (busy_.test_and_set(std::memory_order_acquire)) std::this_thread::yield();
}

void arena::unlock() noexcept { busy_.clear(std::memory_order_release); }

std::uint64_t* arena::bitmap(int c) const noexcept {
    return reinterpret_cast<std::uint64_t*>(base_.load(std::memory_order_relaxed) + c * bitmap_bytes);
}

std::uint8_t* arena::owners(int c) const noexcept {
    return reinterpret_cast<std::uint8_t*>(base_.load(std::memory_order_relaxed) + owners_at + owners_offset(c));
}

char* arena::blocks(int c) const noexcept {
    return reinterpret_cast<char*>(base_.load(std::memory_order_relaxed) + (c + 1) * span);
}

bool arena::contains(const void* p) const noexcept {
    const std::uintptr_t base = base_.load(std::memory_order_relaxed);
    const auto a = reinterpret_cast<std::uintptr_t>(p);
    return base && a >= base + span && a < base + region_bytes;
}

// Commits what block i of class c, never handed out, needs: its bitmap bit
// and owner byte, its pages.
bool arena::make_room(int c, std::size_t i) noexcept {
    size_class& k = classes_[c];
    if (i >= k.indexed) {
        const std::size_t to = std::min(capacity(c), round_up(i + 1, index_step));
        const std::size_t from_word = k.indexed / 64, to_word = (to + 63) / 64;
        if (!pages_.commit(bitmap(c) + from_word, (to_word - from_word) * 8) ||
            !pages_.commit(owners(c) + k.indexed, to - k.indexed))
            return false;
        k.indexed = to;
    }
    const std::size_t need = (i + 1) * block_size(c);
    if (need > k.committed) {
        const std::size_t to = std::min(span, round_up(need, std::max(block_size(c), commit_step)));
        if (!pages_.commit(blocks(c) + k.committed, to - k.committed)) return false;
        k.committed = to;
    }
    return true;
}

void* arena::alloc(std::size_t bytes, std::size_t align, std::uint8_t owner) noexcept {
    if (!started()) return nullptr;
    const int c = class_of(bytes > align ? bytes : align);
    if (c >= classes) return nullptr;
    std::uint64_t* bits = bitmap(c);
    char* p;
    bool fresh = false;
    {
        held lock(*this);
        size_class& k = classes_[c];
        std::size_t i = k.lowest_free;
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
            if (i >= capacity(c) || !make_room(c, i)) return nullptr;
            k.end = i + 1;
            fresh = true;
        }
        p = blocks(c) + i * block_size(c);
        if (!fresh && block_size(c) >= large_bytes && !pages_.commit(p, block_size(c)))
            return nullptr;  // its pages were discarded when it was freed
        bits[i / 64] |= std::uint64_t{1} << (i % 64);
        owners(c)[i] = owner;
        k.lowest_free = i + 1;
    }
    // A fresh block still holds the system's zeros, and so does a large one
    // (its pages were given back).
    if (!fresh && block_size(c) < large_bytes) std::memset(p, 0, block_size(c));
    return p;
}

// Under the lock.
void arena::release(int c, std::size_t i) noexcept {
    if (block_size(c) >= large_bytes) pages_.discard(blocks(c) + i * block_size(c), block_size(c));
    bitmap(c)[i / 64] &= ~(std::uint64_t{1} << (i % 64));
    size_class& k = classes_[c];
    if (i < k.lowest_free) k.lowest_free = i;
}

void arena::free(void* p) noexcept {
    const auto offset = reinterpret_cast<std::uintptr_t>(p) - base_.load(std::memory_order_relaxed);
    const int c = static_cast<int>(offset / span) - 1;
    const std::size_t i = (offset % span) / block_size(c);
    held lock(*this);
    release(c, i);
}

std::size_t arena::room(const void* p) const noexcept {
    const auto offset = reinterpret_cast<std::uintptr_t>(p) - base_.load(std::memory_order_relaxed);
    const int c = static_cast<int>(offset / span) - 1;
    return block_size(c) - (offset % span) % block_size(c);
}

void arena::free_owned(std::uint8_t owner) noexcept {
    if (!started()) return;
    held lock(*this);
    for (int c = 0; c < classes; ++c) {
        const std::uint64_t* bits = bitmap(c);
        const std::uint8_t* own = owners(c);
        for (std::size_t word = 0; word * 64 < classes_[c].end; ++word)
            for (std::uint64_t live = bits[word]; live; live &= live - 1) {
                const std::size_t i = word * 64 + static_cast<std::size_t>(__builtin_ctzll(live));
                if (own[i] == owner) release(c, i);
            }
    }
}

}  // namespace vr
