// SPDX-License-Identifier: GPL-3.0-or-later
// Small generators whose every output follows from a seed: what render-one's
// worker hands a plugin in place of the system's randomness and wall clock
// (linux/pinned_randomness.cpp for libc, windows/pinned_imports.cpp for the
// Windows worker's C runtimes and system DLLs), kept here, without the
// interposition, so that tests can pin their values and both systems draw
// the same streams from the same seed.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace vr::seeded {

// SplitMix64's finaliser: a bijection that scatters every input bit.
constexpr std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// The step SplitMix64 adds to its counter.
inline constexpr std::uint64_t gamma = 0x9E3779B97F4A7C15ULL;

// The n-th output of the stream that starts at counter `start`.
constexpr std::uint64_t nth(std::uint64_t start, std::uint64_t n) { return mix(start + (n + 1) * gamma); }

// A counter for one generator (tag) under one job's seed: different tags and
// different seeds give unrelated streams.
constexpr std::uint64_t derive(std::uint64_t seed, std::uint64_t tag) {
    return mix(mix(seed ^ 0x7673742D72656E64ULL) + tag * gamma);
}

// The drand48 family's linear congruential generator, as POSIX defines it:
// X' = (a X + c) mod 2^48, with a = 0x5DEECE66D and c = 0xB until lcong48
// changes them.
inline constexpr std::uint64_t lcg48_mask = (1ULL << 48) - 1;
inline constexpr std::uint64_t lcg48_a = 0x5DEECE66DULL;
inline constexpr std::uint64_t lcg48_c = 0xB;

constexpr std::uint64_t lcg48_step(std::uint64_t x, std::uint64_t a = lcg48_a, std::uint64_t c = lcg48_c) {
    return (a * x + c) & lcg48_mask;
}

// What srand48(seed) makes the state: the seed's low 32 bits above 0x330E.
constexpr std::uint64_t lcg48_from_srand48(long seed) {
    return ((static_cast<std::uint64_t>(static_cast<std::uint32_t>(seed)) << 16) | 0x330E) & lcg48_mask;
}

// The three outputs of a state: [0, 1), [0, 2^31), [-2^31, 2^31).
constexpr double lcg48_double(std::uint64_t x) { return static_cast<double>(x) * 0x1p-48; }
constexpr long lcg48_nonnegative(std::uint64_t x) { return static_cast<long>(x >> 17); }
constexpr long lcg48_signed(std::uint64_t x) { return static_cast<long>(static_cast<std::int32_t>(x >> 16)); }

// rand_r's whole state is the caller's unsigned int: one step of a 32-bit
// LCG, its new state scattered into 0 .. 2^31 - 1.
constexpr int rand_r_step(unsigned int& s) {
    s = s * 1103515245U + 12345U;
    return static_cast<int>(mix(s) & 0x7FFFFFFF);
}

// 2020-01-01T00:00:00Z: the pinned wall clock's reading under seed 0; under
// seed s it reads this + s seconds and does not move.
inline constexpr std::int64_t wall_clock_epoch = 1577836800;

// Tags that keep the generators of one seed apart.
enum : std::uint64_t { tag_random = 1, tag_lcg48 = 2, tag_entropy = 3, tag_srandom = 4 };

// The streams a pinned process answers from, shared by every thread: the
// counter behind rand() (and random()), the byte stream behind every
// source of entropy, and the wall clock's second. Lock-free; reseed() puts
// all three where `seed` says, as at the start of each job.
struct streams {
    std::atomic<std::uint64_t> random{derive(0, tag_random)};
    std::atomic<std::uint64_t> entropy{derive(0, tag_entropy)};
    std::atomic<std::int64_t> wall{wall_clock_epoch};

    void reseed(std::uint32_t seed) {
        random.store(derive(seed, tag_random));
        entropy.store(derive(seed, tag_entropy));
        wall.store(wall_clock_epoch + seed);
    }
    // rand()'s next 64 bits (the callers keep the high ones).
    std::uint64_t next_random() { return mix(random.fetch_add(gamma) + gamma); }
    // What srand(seed) makes of the counter: every seed its own stream.
    void seed_random(unsigned int seed) { random.store(derive(seed, tag_srandom)); }
    // The next n bytes of the entropy stream, whole 8-byte words at a time.
    void fill(void* out, std::size_t n) {
        const std::size_t words = (n + 7) / 8;
        const std::uint64_t start = entropy.fetch_add(words * gamma);
        auto* bytes = static_cast<unsigned char*>(out);
        for (std::size_t i = 0; i < words; ++i) {
            const std::uint64_t v = mix(start + (i + 1) * gamma);
            std::memcpy(bytes + 8 * i, &v, std::min<std::size_t>(8, n - 8 * i));
        }
    }
    std::int64_t wall_seconds() const { return wall.load(); }
};

}  // namespace vr::seeded
