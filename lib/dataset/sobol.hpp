// SPDX-License-Identifier: GPL-3.0-or-later
// A Sobol' sequence of our own making, scrambled by a linear matrix scramble
// and a digital shift. param-sample(1) states the construction in full, so
// that another program can reproduce every point:
//  - dimension 0 is the van der Corput sequence in base 2;
//  - dimension d >= 1 uses the (d-1)-th primitive polynomial over GF(2), the
//    polynomials in order of degree, then of their coefficients read as a
//    binary number (x + 1, x^2 + x + 1, x^3 + x + 1, x^3 + x^2 + 1, ...);
//  - its initial direction numbers m_1..m_s (s the degree) come from
//    initial_direction(d, k); the rest from Sobol's recurrence;
//  - 32 bits a coordinate, so at most 2^32 points.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace vr::dataset {

// A polynomial over GF(2) as bits: bit k is the coefficient of x^k.
// True when it is primitive: its degree s >= 1, and x has order 2^s - 1
// modulo it (so it is irreducible too). Degrees up to 31.
bool is_primitive(std::uint32_t poly);

// The first n primitive polynomials, in order of degree, then of value.
std::vector<std::uint32_t> primitive_polynomials(std::size_t n);

// m_k for dimension d (1-based k <= the polynomial's degree): odd and below
// 2^k, the top k bits of mix(mix(0x536F626F6C ^ d) + k * gamma) with the low
// bit set (mix and gamma: SplitMix64's finaliser and step, core/seeded.hpp).
std::uint32_t initial_direction(std::size_t d, unsigned k);

// The unscrambled sequence's direction numbers for `dims` dimensions.
class sobol_directions {
public:
    explicit sobol_directions(std::size_t dims);
    std::size_t dims() const noexcept { return v_.size() / 32; }
    // V_k of dimension d as a 32-bit fraction (k = 1..32): m_k * 2^(32-k).
    std::uint32_t v(std::size_t d, unsigned k) const { return v_[d * 32 + (k - 1)]; }
    // Coordinate d of point i (index 0 first), unscrambled, as 32-bit fraction.
    std::uint32_t point(std::uint64_t i, std::size_t d) const;

private:
    std::vector<std::uint32_t> v_;
};

// The sequence scrambled for one seed. Each dimension d gets a lower
// triangular binary matrix with a unit diagonal (each output digit is its
// input digit XOR a random choice of the more significant input digits; row
// of output bit b, 31 the most significant: bit b set, bits above b from
// lms_row(seed, d, b), bits below clear) and then a digital shift (XOR with
// shift(seed, d)). Both are linear over GF(2), so the matrix is applied once
// to the direction numbers and a point costs what an unscrambled one does.
class scrambled_sobol {
public:
    // The first `dims` dimensions of `directions` (all of them by default).
    scrambled_sobol(const sobol_directions& directions, std::uint64_t seed, std::size_t dims = SIZE_MAX);
    std::size_t dims() const noexcept { return c_.size() / 32; }
    // Coordinate d of point i as a 32-bit fraction.
    std::uint32_t bits(std::uint64_t i, std::size_t d) const;
    // All coordinates of point i, each in [0, 1): bits * 2^-32.
    void point(std::uint64_t i, double* out) const;
    // All coordinates of point i as 32-bit fractions, into bits[0..dims).
    void all_bits(std::uint64_t i, std::uint32_t* bits) const;
    // From point i - 1's coordinates to point i's (i >= 1): point i differs
    // from i - 1 in bits 0..t of the index, t = ctz(i), so one XOR a dimension.
    void step_to(std::uint64_t i, std::uint32_t* bits) const;

    // The random bits the scramble takes (see param-sample(1)).
    static std::uint32_t lms_row(std::uint64_t seed, std::size_t d, unsigned b);
    static std::uint32_t shift(std::uint64_t seed, std::size_t d);
    // The lower-triangular matrix of dimension d applied to a fraction.
    static std::uint32_t apply_lms(std::uint64_t seed, std::size_t d, std::uint32_t x);

private:
    std::vector<std::uint32_t> c_;      // scrambled direction numbers
    std::vector<std::uint32_t> prefix_; // c_[0] ^ ... ^ c_[t] for each t, per dimension
    std::vector<std::uint32_t> shift_;  // per dimension
};

}  // namespace vr::dataset
