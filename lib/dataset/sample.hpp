// SPDX-License-Identifier: GPL-3.0-or-later
// param-sample's samplers: the values of sample i of a plan, a pure function
// of (seed, i, parameter), and the job lines that carry them.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/records.hpp"
#include "dataset/space.hpp"

namespace vr::dataset {

class scrambled_sobol;

enum class method { uniform, sobol, lhs, around };

// "uniform", "sobol", "lhs", "around": what a job's sample_method says.
const char* method_name(method m);

struct sample_settings {
    method how = method::uniform;
    std::uint64_t seed = 0;
    std::uint64_t count = 1;     // lhs: the design's size
    double sigma = 0.05;         // around: standard deviation, normalized units
    double step_probability = 0.1;  // around: chance a discrete parameter moves a step
};

// Sample counts and indexes stay below this (Sobol's 32-bit coordinates).
inline constexpr std::uint64_t max_samples = std::uint64_t{1} << 32;

// The position of i in a random permutation of [0, n) keyed by (seed, p):
// a four-round Feistel network on the smallest even number of bits that
// holds n - 1, walked until it lands below n.
std::uint64_t lhs_permute(std::uint64_t i, std::uint64_t n, std::uint64_t seed, std::uint64_t p);

class sampler {
public:
    sampler(std::vector<planned_param> plan, const sample_settings& settings);
    ~sampler();
    sampler(const sampler&) = delete;
    sampler& operator=(const sampler&) = delete;

    const std::vector<planned_param>& plan() const noexcept { return plan_; }
    // The value of each planned parameter in sample i, as float32 (what a
    // plugin holds), in plan order; fixed ones at their value.
    void values(std::uint64_t i, float* out) const;
    // Appends job i as a line: `prefix` (a record's JSON without its closing
    // brace), then set_params, sample_index, sample_seed, sample_method.
    void append_job(std::string& out, std::string_view prefix, std::uint64_t i) const;

private:
    float vary(const planned_param& q, double u) const;
    std::vector<planned_param> plan_;
    sample_settings settings_;
    std::vector<std::string> key_text_;  // "key": for each planned parameter
    std::vector<std::uint32_t> dim_;     // Sobol dimension of each varied parameter
    std::unique_ptr<scrambled_sobol> sobol_;
    // The last Sobol' point made, so that the next one costs one XOR a dimension.
    mutable std::vector<std::uint32_t> sobol_bits_;
    mutable std::uint64_t sobol_at_ = UINT64_MAX;
    std::string tail_;                   // ,"sample_seed":S,"sample_method":"M"}
};

// The record as a job's prefix: its JSON without `params`, a `set_params`
// of its own and the read-back fields render-one writes (param_values,
// param_names_sha256, params_adjusted), and without the closing brace.
std::string job_prefix(json record);

// Lines gathered and written in large whole-line writes.
class line_batch {
public:
    explicit line_batch(record_writer& out) : out_(out) {}
    std::string& text() noexcept { return text_; }
    // Writes what is gathered when over `threshold` bytes (all of it with 0).
    void flush(std::size_t threshold = 0);

private:
    record_writer& out_;
    std::string text_;
};

}  // namespace vr::dataset
