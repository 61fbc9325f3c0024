// SPDX-License-Identifier: GPL-3.0-or-later
#include "dataset/sobol.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

#include "core/seeded.hpp"
#include "dataset/draw.hpp"

namespace vr::dataset {

namespace {

int degree(std::uint64_t p) { return p ? 63 - std::countl_zero(p) : -1; }

// a * b mod p over GF(2); a and b of degree below p's (at most 31).
std::uint64_t mulmod(std::uint64_t a, std::uint64_t b, std::uint64_t p) {
    std::uint64_t r = 0;
    for (; b; b >>= 1, a <<= 1)
        if (b & 1) r ^= a;
    int s = degree(p);
    for (int k = degree(r); k >= s; k = degree(r)) r ^= p << (k - s);
    return r;
}

std::uint64_t powmod_x(std::uint64_t e, std::uint64_t p) {
    std::uint64_t result = 1, base = 2 % p;  // x mod p
    if (degree(p) == 1) base = 1;             // x = 1 mod (x + 1)
    for (; e; e >>= 1) {
        if (e & 1) result = mulmod(result, base, p);
        base = mulmod(base, base, p);
    }
    return result;
}

std::vector<std::uint64_t> prime_factors(std::uint64_t n) {
    std::vector<std::uint64_t> f;
    for (std::uint64_t q = 2; q * q <= n; ++q)
        if (n % q == 0) {
            f.push_back(q);
            while (n % q == 0) n /= q;
        }
    if (n > 1) f.push_back(n);
    return f;
}

}  // namespace

bool is_primitive(std::uint32_t poly) {
    int s = degree(poly);
    if (s < 1 || s > 31 || !(poly & 1)) return false;
    if (s == 1) return poly == 3;
    std::uint64_t order = (std::uint64_t{1} << s) - 1;
    if (powmod_x(order, poly) != 1) return false;
    for (auto q : prime_factors(order))
        if (powmod_x(order / q, poly) == 1) return false;
    return true;
}

std::vector<std::uint32_t> primitive_polynomials(std::size_t n) {
    std::vector<std::uint32_t> out;
    out.reserve(n);
    for (unsigned s = 1; out.size() < n; ++s) {
        if (s > 31) throw std::length_error("too many Sobol dimensions");
        for (std::uint64_t p = (std::uint64_t{1} << s) | 1; out.size() < n && p < (std::uint64_t{2} << s); p += 2)
            if (is_primitive(static_cast<std::uint32_t>(p))) out.push_back(static_cast<std::uint32_t>(p));
    }
    return out;
}

std::uint32_t initial_direction(std::size_t d, unsigned k) {
    using vr::seeded::gamma;
    using vr::seeded::mix;
    std::uint64_t z = mix(mix(0x536F626F6CULL ^ d) + k * gamma);
    return static_cast<std::uint32_t>(z >> (64 - k)) | 1u;
}

sobol_directions::sobol_directions(std::size_t dims) : v_(dims * 32) {
    for (unsigned k = 1; k <= 32 && dims > 0; ++k) v_[k - 1] = 1u << (32 - k);  // van der Corput
    if (dims < 2) return;
    auto polys = primitive_polynomials(dims - 1);
    std::vector<std::uint64_t> m(33);
    for (std::size_t d = 1; d < dims; ++d) {
        std::uint32_t p = polys[d - 1];
        unsigned s = static_cast<unsigned>(degree(p));
        for (unsigned k = 1; k <= 32; ++k) {
            if (k <= s) {
                m[k] = initial_direction(d, k);
            } else {
                // m_k = 2^s m_{k-s} ^ m_{k-s} ^ XOR_{j=1..s-1} a_j 2^j m_{k-j},
                // a_j the coefficient of x^(s-j).
                std::uint64_t x = (m[k - s] << s) ^ m[k - s];
                for (unsigned j = 1; j < s; ++j)
                    if ((p >> (s - j)) & 1) x ^= m[k - j] << j;
                m[k] = x;
            }
            v_[d * 32 + (k - 1)] = static_cast<std::uint32_t>(m[k] << (32 - k));
        }
    }
}

std::uint32_t sobol_directions::point(std::uint64_t i, std::size_t d) const {
    std::uint32_t x = 0;
    const std::uint32_t* v = &v_[d * 32];
    for (unsigned j = 0; i && j < 32; ++j, i >>= 1)
        if (i & 1) x ^= v[j];
    return x;
}

std::uint32_t scrambled_sobol::lms_row(std::uint64_t seed, std::size_t d, unsigned b) {
    return static_cast<std::uint32_t>(draw(purpose::lms, seed, d, b));
}

std::uint32_t scrambled_sobol::shift(std::uint64_t seed, std::size_t d) {
    return static_cast<std::uint32_t>(draw(purpose::shift, seed, d, 0));
}

namespace {

// The rows of dimension d's matrix: row b gives output bit b.
void lms_rows(std::uint64_t seed, std::size_t d, std::uint32_t* rows) {
    for (unsigned b = 0; b < 32; ++b) {
        std::uint32_t above = b == 31 ? 0u : ~((2u << b) - 1u);
        rows[b] = (1u << b) | (scrambled_sobol::lms_row(seed, d, b) & above);
    }
}

std::uint32_t times(const std::uint32_t* rows, std::uint32_t x) {
    std::uint32_t y = 0;
    for (unsigned b = 0; b < 32; ++b) y |= static_cast<std::uint32_t>(std::popcount(rows[b] & x) & 1) << b;
    return y;
}

}  // namespace

std::uint32_t scrambled_sobol::apply_lms(std::uint64_t seed, std::size_t d, std::uint32_t x) {
    std::uint32_t rows[32];
    lms_rows(seed, d, rows);
    return times(rows, x);
}

scrambled_sobol::scrambled_sobol(const sobol_directions& directions, std::uint64_t seed, std::size_t dims) {
    dims = std::min(dims, directions.dims());
    c_.resize(dims * 32);
    prefix_.resize(dims * 32);
    shift_.resize(dims);
    for (std::size_t d = 0; d < dims; ++d) {
        std::uint32_t rows[32];
        lms_rows(seed, d, rows);
        for (unsigned k = 1; k <= 32; ++k) c_[d * 32 + k - 1] = times(rows, directions.v(d, k));
        for (unsigned t = 0; t < 32; ++t) prefix_[d * 32 + t] = c_[d * 32 + t] ^ (t ? prefix_[d * 32 + t - 1] : 0);
        shift_[d] = shift(seed, d);
    }
}

std::uint32_t scrambled_sobol::bits(std::uint64_t i, std::size_t d) const {
    std::uint32_t x = shift_[d];
    const std::uint32_t* c = &c_[d * 32];
    for (unsigned j = 0; i && j < 32; ++j, i >>= 1)
        if (i & 1) x ^= c[j];
    return x;
}

void scrambled_sobol::all_bits(std::uint64_t i, std::uint32_t* bits_out) const {
    for (std::size_t d = 0; d < shift_.size(); ++d) bits_out[d] = bits(i, d);
}

void scrambled_sobol::step_to(std::uint64_t i, std::uint32_t* bits_out) const {
    unsigned t = static_cast<unsigned>(std::countr_zero(i));
    if (t >= 32) {
        all_bits(i, bits_out);
        return;
    }
    const std::uint32_t* p = &prefix_[t];
    for (std::size_t d = 0; d < shift_.size(); ++d, p += 32) bits_out[d] ^= *p;
}

void scrambled_sobol::point(std::uint64_t i, double* out) const {
    for (std::size_t d = 0; d < shift_.size(); ++d) out[d] = bits(i, d) * 0x1p-32;
}

}  // namespace vr::dataset
