// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/size_classes.hpp"

#include <algorithm>
#include <cstring>
#include <thread>

#include "core/size_class_layout.hpp"

namespace vr {
namespace {

using arena = size_class_arena;
using namespace size_class_layout;

// Bitmap bits and owner bytes are committed this many blocks at a time,
// blocks at least this many bytes at a time.
constexpr std::size_t index_step = std::size_t{1} << 16;
constexpr std::size_t commit_step = std::size_t{64} << 10;

std::size_t round_up(std::size_t n, std::size_t step) { return (n + step - 1) / step * step; }

// Bits: a class's words (arena::class_bits) or a snapshot's copy of them.
template <typename Bits>
bool is_set(const Bits& bits, std::size_t i) {
    return (bits[i / 64] >> (i % 64)) & 1;
}

// Calls f(i) for each block below end whose bit is set, lowest first.
template <typename Bits, typename F>
void each_set(const Bits& bits, std::size_t end, F f) {
    for (std::size_t word = 0; word < words(end); ++word)
        for (std::uint64_t live = bits[word]; live; live &= live - 1)
            f(word * 64 + static_cast<std::size_t>(__builtin_ctzll(live)));
}

// The number of live blocks below end (no bit at or above end is set).
template <typename Bits>
std::size_t live_count(const Bits& bits, std::size_t end) {
    std::size_t n = 0;
    for (std::size_t word = 0; word < words(end); ++word)
        n += static_cast<std::size_t>(__builtin_popcountll(bits[word]));
    return n;
}

// Whether s's vectors hold what its classes say (a snapshot put together
// by hand could send restore past their ends).
bool whole(const arena_snapshot& s) {
    if (s.classes.size() != arena::classes) return false;
    std::size_t bits = 0, owners = 0, bytes = 0;
    for (int c = 0; c < arena::classes; ++c) {
        const std::size_t end = s.classes[c].end;
        if (end > capacity(c) || s.classes[c].committed > arena::span || bits + words(end) > s.bitmap.size())
            return false;
        bytes += live_count(s.bitmap.data() + bits, end) * block_size(c);
        bits += words(end);
        owners += end;
    }
    return bits == s.bitmap.size() && owners == s.owners.size() && bytes == s.bytes.size();
}

// Calls f(p, n, in_head) for each part of elements [from, to) of a class's
// row split at split: those below it from head, the rest from rest (both
// indexed from the row's start); false at the first f refuses.
template <typename T, typename F>
bool each_part(std::size_t from, std::size_t to, std::size_t split, T* head, T* rest, F f) {
    if (from < std::min(to, split) && !f(head + from, std::min(to, split) - from, true)) return false;
    const std::size_t rest_from = std::max(from, split);
    return rest_from >= to || f(rest + rest_from, to - rest_from, false);
}

class held {
public:
    explicit held(const arena& a) : a_(a) { a_.lock(); }
    ~held() { a_.unlock(); }
    held(const held&) = delete;
    held& operator=(const held&) = delete;

private:
    const arena& a_;
};

}  // namespace

void arena::start(std::uintptr_t base, arena_pages pages) noexcept {
    pages_ = pages;
    base_.store(base, std::memory_order_release);
}

void arena::lock() const noexcept {
    while (busy_.test_and_set(std::memory_order_acquire)) std::this_thread::yield();
}

void arena::unlock() const noexcept { busy_.clear(std::memory_order_release); }

arena::class_bits arena::bits(int c) const noexcept {
    const std::uintptr_t base = base_.load(std::memory_order_relaxed);
    auto* first_page = reinterpret_cast<std::uint64_t*>(base + places.first_page[c]);
    if (c >= head_classes) return {nullptr, 0, first_page};
    return {first_page, places.head_blocks[c] / 64, reinterpret_cast<std::uint64_t*>(base + places.bitmap[c])};
}

std::uint8_t* arena::owners(int c) const noexcept {
    return reinterpret_cast<std::uint8_t*>(base_.load(std::memory_order_relaxed) + owners_at + owners_offset(c));
}

// Where block 0 of class c's head would be and of its row (whose first
// head_blocks(c) stay unused).
char* arena::head(int c) const noexcept {
    return reinterpret_cast<char*>(base_.load(std::memory_order_relaxed) + places.head[c]);
}

char* arena::row(int c) const noexcept {
    return reinterpret_cast<char*>(base_.load(std::memory_order_relaxed) + (c + 1) * span);
}

char* arena::block(int c, std::size_t i) const noexcept {
    return (i < places.head_blocks[c] ? head(c) : row(c)) + i * block_size(c);
}

// The class of the block at offset from the base (holds(offset)).
int arena::class_at(std::uintptr_t offset) const noexcept {
    if (offset >= span) return static_cast<int>(offset / span) - 1;
    return places.head_class[(offset - heads_at) >> 16];
}

bool arena::contains(const void* p) const noexcept {
    const std::uintptr_t base = base_.load(std::memory_order_relaxed);
    const auto a = reinterpret_cast<std::uintptr_t>(p);
    return base && a >= base && holds(a - base);
}

// Commits bitmap words [from_word, to_word) of class c, bytes [from, to)
// of its row (both counted from its start).
bool arena::commit_bits(int c, std::size_t from_word, std::size_t to_word) noexcept {
    const class_bits b = bits(c);
    return each_part(from_word, to_word, b.head_words, b.head, b.rest,
                     [&](std::uint64_t* p, std::size_t n, bool) { return pages_.commit(p, n * 8); });
}

bool arena::commit_blocks(int c, std::size_t from, std::size_t to) noexcept {
    return each_part(from, to, head_bytes(c), head(c), row(c),
                     [&](char* p, std::size_t n, bool) { return pages_.commit(p, n); });
}

// Commits what block i of class c, never handed out, needs: its bitmap bit,
// its owner byte (once the class has an owner other than 0), its pages.
// A head is committed whole at its first block, its row from there on a
// step at a time.
bool arena::make_room(int c, std::size_t i) noexcept {
    size_class& k = classes_[c];
    const bool in_head = i < head_blocks(c);
    if (i >= k.indexed) {
        const std::size_t to = in_head ? head_blocks(c) : std::min(capacity(c), round_up(i + 1, index_step));
        if (!commit_bits(c, k.indexed / 64, words(to)) ||
            (k.owned && !pages_.commit(owners(c) + k.indexed, to - k.indexed)))
            return false;
        k.indexed = to;
    }
    const std::size_t need = (i + 1) * block_size(c);
    if (need > k.committed) {
        const std::size_t to =
            in_head ? head_bytes(c) : std::min(span, round_up(need, std::max(block_size(c), commit_step)));
        if (!commit_blocks(c, k.committed, to)) return false;
        k.committed = to;
    }
    return true;
}

// Class c's first owner other than 0: its owner bytes are committed for the
// blocks indexed so far (all 0, as a page never written reads), and kept
// from then on. Until then a class has none: under wine each 16 MiB of them
// reserved cost a reservation and a page of wine's records (three a JUCE
// one-off), and nothing reads them (every block is owner 0's).
bool arena::take_owners(int c) noexcept {
    size_class& k = classes_[c];
    if (k.owned) return true;
    if (k.indexed && !pages_.commit(owners(c), k.indexed)) return false;
    k.owned = true;
    return true;
}

void* arena::alloc(std::size_t bytes, std::size_t align, std::uint8_t owner) noexcept {
    if (!started()) return nullptr;
    const int c = class_of(bytes > align ? bytes : align);
    if (c >= classes) return nullptr;
    const class_bits bits = this->bits(c);
    char* p;
    bool fresh = false;
    {
        held lock(*this);
        size_class& k = classes_[c];
        if (owner && !take_owners(c)) return nullptr;
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
        p = block(c, i);
        if (!fresh && block_size(c) >= large_bytes && !pages_.commit(p, block_size(c)))
            return nullptr;  // its pages were discarded when it was freed
        bits[i / 64] |= std::uint64_t{1} << (i % 64);
        if (k.owned) owners(c)[i] = owner;
        k.lowest_free = i + 1;
    }
    // A fresh block still holds the system's zeros, and so does a large one
    // (its pages were given back).
    if (!fresh && block_size(c) < large_bytes) std::memset(p, 0, block_size(c));
    return p;
}

// Under the lock.
void arena::release(int c, std::size_t i) noexcept {
    if (block_size(c) >= large_bytes) pages_.discard(block(c, i), block_size(c));
    bits(c)[i / 64] &= ~(std::uint64_t{1} << (i % 64));
    size_class& k = classes_[c];
    if (i < k.lowest_free) k.lowest_free = i;
}

void arena::free(void* p) noexcept {
    const auto offset = reinterpret_cast<std::uintptr_t>(p) - base_.load(std::memory_order_relaxed);
    const int c = class_at(offset);
    const std::size_t i = (offset - (offset >= span ? (c + 1) * span : places.head[c])) / block_size(c);
    held lock(*this);
    release(c, i);
}

std::size_t arena::room(const void* p) const noexcept {
    const auto offset = reinterpret_cast<std::uintptr_t>(p) - base_.load(std::memory_order_relaxed);
    const std::size_t size = block_size(class_at(offset));
    return size - offset % size;  // a head lies at a multiple of its blocks' size, as a row does
}

void arena::free_owned(std::uint8_t owner) noexcept {
    if (!started()) return;
    held lock(*this);
    for (int c = 0; c < classes; ++c) {
        // A class with no owner but 0 has no owner bytes: every block of it is owner 0's.
        const bool all_zero = !classes_[c].owned;
        if (all_zero && owner) continue;
        const class_bits bits = this->bits(c);
        const std::uint8_t* own = all_zero ? nullptr : owners(c);
        for (std::size_t word = 0; word * 64 < classes_[c].end; ++word)
            for (std::uint64_t live = bits[word]; live; live &= live - 1) {
                const std::size_t i = word * 64 + static_cast<std::size_t>(__builtin_ctzll(live));
                if (all_zero || own[i] == owner) release(c, i);
            }
    }
}

arena_snapshot arena::snapshot() const {
    arena_snapshot s;
    if (!started()) return s;
    held lock(*this);
    s.base = base_.load(std::memory_order_relaxed);
    std::size_t words_in_all = 0, owner_bytes = 0, bytes = 0;
    for (int c = 0; c < classes; ++c) {
        const size_class& k = classes_[c];
        s.classes.push_back({k.lowest_free, k.end, k.committed});
        words_in_all += words(k.end);
        owner_bytes += k.end;
        bytes += live_count(bits(c), k.end) * block_size(c);
    }
    s.bitmap.reserve(words_in_all);
    s.owners.reserve(owner_bytes);
    s.bytes.reserve(bytes);
    for (int c = 0; c < classes; ++c) {
        const std::size_t end = classes_[c].end, size = block_size(c);
        const class_bits b = bits(c);
        for (std::size_t word = 0; word < words(end); ++word) s.bitmap.push_back(b[word]);
        if (classes_[c].owned)
            s.owners.insert(s.owners.end(), owners(c), owners(c) + end);
        else
            s.owners.insert(s.owners.end(), end, 0);
        each_set(b, end, [&](std::size_t i) {
            const char* p = block(c, i);
            s.bytes.insert(s.bytes.end(), p, p + size);
        });
    }
    return s;
}

// Commits, before restore changes anything, the pages the blocks live at s
// need and do not have now: a small class's beyond what it has committed
// (restoring a later snapshot than the last restore's), a large block's
// when it was freed since (its pages were discarded).
bool arena::recommit(const arena_snapshot& s) noexcept {
    const std::uint64_t* was_bits = s.bitmap.data();
    const std::uint8_t* was_owners = s.owners.data();
    for (int c = 0; c < classes; ++c) {
        const size_class& k = classes_[c];
        const arena_snapshot::size_class& was = s.classes[c];
        const std::size_t size = block_size(c);
        if (was.end > k.indexed) return false;  // never, of this arena: indexed only grows
        // Owner bytes to put back where the class has none (never, of this
        // arena: a class with an owner keeps its bytes).
        if (!k.owned && std::any_of(was_owners, was_owners + was.end, [](std::uint8_t o) { return o != 0; }) &&
            !take_owners(c))
            return false;
        was_owners += was.end;
        bool ok = true;
        if (size < large_bytes) {
            if (was.committed > k.committed) ok = commit_blocks(c, k.committed, was.committed);
        } else {
            each_set(was_bits, was.end, [&](std::size_t i) {
                if (ok && (i >= k.end || !is_set(bits(c), i))) ok = pages_.commit(block(c, i), size);
            });
        }
        if (!ok) return false;
        was_bits += words(was.end);
    }
    return true;
}

// Puts class c back as it was: was, with its bitmap words, owner bytes and
// live blocks' bytes from s. Under the lock, after recommit.
void arena::put_back(int c, const arena_snapshot::size_class& was, const std::uint64_t* was_bits,
                     const std::uint8_t* was_owners, const char* was_bytes) noexcept {
    size_class& k = classes_[c];
    const std::size_t size = block_size(c);
    const class_bits bits = this->bits(c);
    // A large block free then and handed out since gives its pages back, as
    // its free would have: alloc counts on their zeros when it hands it out
    // again.
    if (size >= large_bytes)
        each_set(bits, std::min(was.end, k.end), [&](std::size_t i) {
            if (!is_set(was_bits, i)) pages_.discard(block(c, i), size);
        });
    // The blocks handed out since for the first time are never handed out
    // yet again, and alloc counts on a fresh block's zeros: those that stay
    // committed (a head's stay) are zeroed, the pages beyond given back.
    // Their bits and owner bytes are cleared, as in a process that never
    // handed them out.
    if (k.end > was.end) {
        const std::size_t kept = std::max(was.committed, head_bytes(c));
        const std::size_t from = was.end * size, to = std::min(k.end * size, kept);
        if (to > from)
            each_part(from, to, head_bytes(c), head(c), row(c), [](char* p, std::size_t n, bool) {
                std::memset(p, 0, n);
                return true;
            });
        for (std::size_t word = words(was.end); word < words(k.end); ++word) bits[word] = 0;
        if (k.owned) std::memset(owners(c) + was.end, 0, k.end - was.end);
    }
    if (k.committed > was.committed)
        each_part(was.committed, k.committed, head_bytes(c), head(c), row(c), [&](char* p, std::size_t n, bool in_head) {
            if (!in_head) pages_.discard(p, n);
            return true;
        });
    if (was.end) {
        for (std::size_t word = 0; word < words(was.end); ++word) bits[word] = was_bits[word];
        // Owner bytes all 0 then, and none written since: nothing to put back.
        if (k.owned || std::any_of(was_owners, was_owners + was.end, [](std::uint8_t o) { return o != 0; })) {
            std::memcpy(owners(c), was_owners, was.end);
            k.owned = true;
        }
    }
    each_set(was_bits, was.end, [&](std::size_t i) {
        std::memcpy(block(c, i), was_bytes, size);
        was_bytes += size;
    });
    k.lowest_free = was.lowest_free;
    k.end = was.end;
    k.committed = was.committed;  // k.indexed stays: those pages stay committed
}

bool arena::restore(const arena_snapshot& s) noexcept {
    const std::uintptr_t base = base_.load(std::memory_order_relaxed);
    if (s.base != base) return false;
    if (!base) return true;  // an arena not started, as it was
    if (!whole(s)) return false;
    held lock(*this);
    if (!recommit(s)) return false;
    const std::uint64_t* bits = s.bitmap.data();
    const std::uint8_t* own = s.owners.data();
    const char* bytes = s.bytes.data();
    for (int c = 0; c < classes; ++c) {
        const std::size_t end = s.classes[c].end;
        put_back(c, s.classes[c], bits, own, bytes);
        bytes += live_count(bits, end) * block_size(c);
        bits += words(end);
        own += end;
    }
    return true;
}

}  // namespace vr
