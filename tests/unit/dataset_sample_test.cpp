// SPDX-License-Identifier: GPL-3.0-or-later
// param-sample's samplers (lib/dataset): the Sobol' construction's defining
// properties, scrambled and not; the Latin hypercube's strata; sample i a
// pure function of (seed, i); the space file's rules and their errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "dataset/sample.hpp"
#include "dataset/sobol.hpp"
#include "dataset/space.hpp"

namespace {

namespace d = vr::dataset;

TEST(Sobol, PrimitivePolynomialsComeInOrderOfDegreeThenValue) {
    auto p = d::primitive_polynomials(12);
    // x+1; x^2+x+1; x^3+x+1, x^3+x^2+1; x^4+x+1, x^4+x^3+1; degree 5's six.
    std::vector<std::uint32_t> want{0b11, 0b111, 0b1011, 0b1101, 0b10011, 0b11001,
                                    0b100101, 0b101001, 0b101111, 0b110111, 0b111011, 0b111101};
    EXPECT_EQ(p, want);
    // x^4 + x^3 + x^2 + x + 1 is irreducible but not primitive (x^5 = 1).
    EXPECT_FALSE(d::is_primitive(0b11111));
    EXPECT_FALSE(d::is_primitive(0b101));  // (x + 1)^2
    // How many there are of each degree: phi(2^s - 1) / s.
    auto many = d::primitive_polynomials(3666);
    std::size_t degree15 = std::count_if(many.begin(), many.end(), [](std::uint32_t q) { return q >> 15 == 1; });
    EXPECT_EQ(degree15, 1800u);
}

TEST(Sobol, InitialDirectionNumbersAreOddAndBelowTwoToTheK) {
    for (std::size_t dim = 1; dim < 200; ++dim)
        for (unsigned k = 1; k <= 15; ++k) {
            auto m = d::initial_direction(dim, k);
            EXPECT_EQ(m & 1, 1u);
            EXPECT_LT(m, 1u << k);
        }
}

TEST(Sobol, UnscrambledDimensionZeroIsVanDerCorput) {
    d::sobol_directions s(4);
    for (std::uint64_t i = 0; i < 1024; ++i) {
        // Gray-code order is not used: point i is i's bits reversed.
        std::uint32_t reversed = 0;
        for (unsigned b = 0; b < 32; ++b)
            if (i >> b & 1) reversed |= 1u << (31 - b);
        EXPECT_EQ(s.point(i, 0), reversed) << i;
    }
    // Point 0 is the origin in every dimension; point 1 the middle.
    for (std::size_t dim = 0; dim < 4; ++dim) {
        EXPECT_EQ(s.point(0, dim), 0u);
        EXPECT_EQ(s.point(1, dim), 1u << 31);
    }
}

// Each 2^k-point block of the first 2^m points has one point in each of the
// 2^k equal intervals, in every dimension.
void expect_stratified(const std::function<std::uint32_t(std::uint64_t, std::size_t)>& bits, std::size_t dims) {
    for (unsigned k = 0; k <= 10; ++k) {
        std::uint64_t n = std::uint64_t{1} << k;
        for (std::size_t dim = 0; dim < dims; ++dim)
            for (std::uint64_t start = 0; start < 2048; start += n) {
                std::set<std::uint32_t> cells;
                for (std::uint64_t i = start; i < start + n; ++i) cells.insert(k ? bits(i, dim) >> (32 - k) : 0);
                ASSERT_EQ(cells.size(), n) << "dimension " << dim << ", points " << start << "+" << n;
            }
    }
}

TEST(Sobol, EveryPowerOfTwoBlockIsStratifiedInEveryDimension) {
    d::sobol_directions s(300);
    expect_stratified([&](std::uint64_t i, std::size_t dim) { return s.point(i, dim); }, 300);
}

TEST(Sobol, ScrambledStaysStratifiedAndDiffersBySeed) {
    d::sobol_directions s(64);
    d::scrambled_sobol a(s, 0), b(s, 1);
    expect_stratified([&](std::uint64_t i, std::size_t dim) { return a.bits(i, dim); }, 64);
    expect_stratified([&](std::uint64_t i, std::size_t dim) { return b.bits(i, dim); }, 64);
    int same = 0;
    for (std::size_t dim = 0; dim < 64; ++dim) same += a.bits(5, dim) == b.bits(5, dim);
    EXPECT_LT(same, 2);
    // The scramble is the matrix then the shift, applied to the raw point.
    for (std::uint64_t i : {0ULL, 1ULL, 77ULL, 123456ULL})
        for (std::size_t dim : {0u, 1u, 40u})
            EXPECT_EQ(a.bits(i, dim), d::scrambled_sobol::apply_lms(0, dim, s.point(i, dim)) ^
                                          d::scrambled_sobol::shift(0, dim));
}

TEST(Sobol, TwoThousandDimensionsAreBuilt) {
    d::sobol_directions s(2500);
    EXPECT_EQ(s.dims(), 2500u);
    std::set<std::uint32_t> cells;
    for (std::uint64_t i = 0; i < 256; ++i) cells.insert(s.point(i, 2499) >> 24);
    EXPECT_EQ(cells.size(), 256u);
}

TEST(Lhs, PermutationIsABijectionForAnyCount) {
    for (std::uint64_t n : {1ULL, 2ULL, 3ULL, 10ULL, 1000ULL, 4097ULL}) {
        std::set<std::uint64_t> seen;
        for (std::uint64_t i = 0; i < n; ++i) seen.insert(d::lhs_permute(i, n, 42, 7));
        EXPECT_EQ(seen.size(), n);
        EXPECT_LT(*seen.rbegin(), n);
    }
}

std::vector<d::param_info> params(int n, std::uint32_t steps_of_last = 0) {
    std::vector<d::param_info> out;
    for (int i = 0; i < n; ++i) out.push_back({i, "p" + std::to_string(i), 0.5, false, 0});
    if (steps_of_last) out.back().steps = steps_of_last;
    return out;
}

TEST(Sampler, LhsPutsOneSampleInEachStratumOfEveryParameter) {
    d::sample_settings s{d::method::lhs, 3, 50};
    d::sampler sampler(d::make_plan(params(5), {}, ""), s);
    std::vector<std::set<int>> cells(5);
    float v[5];
    for (std::uint64_t i = 0; i < 50; ++i) {
        sampler.values(i, v);
        for (int p = 0; p < 5; ++p) cells[p].insert(static_cast<int>(v[p] * 50));
    }
    for (int p = 0; p < 5; ++p) EXPECT_EQ(cells[p].size(), 50u);
}

TEST(Sampler, SampleIDependsOnlyOnSeedAndI) {
    for (auto m : {d::method::uniform, d::method::sobol}) {
        d::sampler small(d::make_plan(params(41), {}, ""), {m, 9, 40});
        d::sampler large(d::make_plan(params(41), {}, ""), {m, 9, 100000});
        std::string a, b;
        for (std::uint64_t i = 20; i < 40; ++i) {
            small.append_job(a, "{", i);
            large.append_job(b, "{", i);
        }
        EXPECT_EQ(a, b);
        d::sampler other(d::make_plan(params(41), {}, ""), {m, 10, 40});
        std::string c;
        for (std::uint64_t i = 20; i < 40; ++i) other.append_job(c, "{", i);
        EXPECT_NE(a, c);
    }
}

TEST(Sampler, DiscreteParametersTakeOnlyTheirSteps) {
    d::sampler sampler(d::make_plan(params(3, 5), {}, ""), {d::method::sobol, 0, 64});
    std::set<float> seen;
    float v[3];
    for (std::uint64_t i = 0; i < 64; ++i) {
        sampler.values(i, v);
        seen.insert(v[2]);
    }
    EXPECT_EQ(seen, (std::set<float>{0.0f, 0.25f, 0.5f, 0.75f, 1.0f}));
}

TEST(Sampler, AroundStaysNearTheRecordsValuesAndMovesStepsByOne) {
    auto ps = params(2, 9);
    ps[1].value = 0.5;  // step 4 of 0..8
    d::sampler sampler(d::make_plan(ps, {}, ""), {d::method::around, 1, 1000, 0.05, 0.5});
    float v[2];
    int moved = 0;
    for (std::uint64_t i = 0; i < 1000; ++i) {
        sampler.values(i, v);
        EXPECT_NEAR(v[0], 0.5, 0.3);
        int step = static_cast<int>(v[1] * 8 + 0.5f);
        EXPECT_TRUE(step >= 3 && step <= 5) << step;
        moved += step != 4;
    }
    EXPECT_GT(moved, 400);
    EXPECT_LT(moved, 600);
}

TEST(Space, RulesNamesIndexesAndGlobs) {
    std::vector<d::param_info> ps{{0, "osc1_wave", 0, false, 5},  {1, "lfo_freq", 0, false, 0},
                                  {2, "lfo_wave", 0, false, 0},   {3, "cutoff", 0, false, 0},
                                  {4, "meter", 0, true, 0},       {5, "cutoff", 0, false, 0}};
    auto rules = d::parse_space(R"({"*": [0, 0.5], "lfo*": "exclude", "lfo_freq": [0.2, 0.4], "0": 0.25})", "s.json");
    auto plan = d::make_plan(ps, rules, "s.json");
    ASSERT_EQ(plan.size(), 4u);  // lfo_wave excluded, meter read-only
    EXPECT_EQ(plan[0].key, "osc1_wave");
    EXPECT_TRUE(plan[0].fixed);
    EXPECT_EQ(plan[1].key, "lfo_freq");  // the exact name beats the globs
    EXPECT_EQ(plan[1].lo, 0.2);
    EXPECT_EQ(plan[2].key, "3");  // two parameters named cutoff: keyed by index
    EXPECT_EQ(plan[2].hi, 0.5);   // the last glob that matches
    EXPECT_EQ(plan[3].key, "5");
}

TEST(Space, BadRulesAreUsageErrorsNamingTheKey) {
    auto ps = params(3);
    EXPECT_THROW(d::parse_space("{", "s.json"), vr::usage_error);
    EXPECT_THROW(d::parse_space(R"({"p1": [0.5, 1.5]})", "s.json"), vr::usage_error);
    EXPECT_THROW(d::parse_space(R"({"p1": 2})", "s.json"), vr::usage_error);
    EXPECT_THROW(d::parse_space(R"({"p1": {"range": [0, 1], "sigma": 2}})", "s.json"), vr::usage_error);
    try {
        d::make_plan(ps, d::parse_space(R"({"p11x": 0.5})", "s.json"), "s.json");
        FAIL();
    } catch (const d::space_mismatch& e) {
        EXPECT_NE(std::string(e.what()).find("did you mean \"p1\"?"), std::string::npos) << e.what();
    }
    EXPECT_THROW(d::make_plan(ps, d::parse_space(R"({"*LFO*": 0.5})", "s.json"), "s.json"), d::space_mismatch);
    EXPECT_THROW(d::make_plan(ps, d::parse_space(R"({"9": 0.5})", "s.json"), "s.json"), d::space_mismatch);
    EXPECT_THROW(d::make_plan(ps, d::parse_space(R"({"1": 0.5, "p1": 0.2})", "s.json"), "s.json"), d::space_mismatch);
}

}  // namespace
