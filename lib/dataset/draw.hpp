// SPDX-License-Identifier: GPL-3.0-or-later
// The counter-based draws every sampler of param-sample takes its randomness
// from: a value is a pure function of (purpose, seed, a, b), never of a
// generator's state, so sample i is the same whichever samples are written.
#pragma once
#include <cstdint>

#include "core/seeded.hpp"

namespace vr::dataset {

// What a draw is for: different purposes give unrelated values.
enum class purpose : std::uint64_t {
    uniform = 0x756E69666F726D00ULL,  // "uniform"
    lhs_order = 0x6C68732D6F726400ULL, // "lhs-ord"
    lhs_jitter = 0x6C68732D6A697400ULL, // "lhs-jit"
    lms = 0x736F626F6C6C6D73ULL,      // "sobollms"
    shift = 0x736F626F6C736866ULL,    // "sobolshf"
    normal = 0x6E6F726D616C0000ULL,   // "normal"
    step = 0x7374657000000000ULL,     // "step"
};

// H(p, seed, a, b) = mix(mix(mix(seed ^ p) + a * gamma) + b * gamma),
// mix and gamma SplitMix64's (core/seeded.hpp).
constexpr std::uint64_t draw(purpose p, std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
    using vr::seeded::gamma;
    using vr::seeded::mix;
    return mix(mix(mix(seed ^ static_cast<std::uint64_t>(p)) + a * gamma) + b * gamma);
}

// The top 53 bits of h as a number in [0, 1).
constexpr double unit(std::uint64_t h) { return static_cast<double>(h >> 11) * 0x1p-53; }

}  // namespace vr::dataset
