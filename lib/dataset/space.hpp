// SPDX-License-Identifier: GPL-3.0-or-later
// What param-sample varies: a plugin's parameters as a record lists them
// (plugin-scan --params, render-one --params), a space file's rules, and
// the plan the two make: which parameters are written, fixed or varied over
// which range and steps, under which set_params key.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/records.hpp"

namespace vr::dataset {

// A space file that does not fit the record's parameters: a usage error
// (exit 2) that the record loop must not turn into an error record, so it is
// a fatal_error underneath; the tool rethrows it as a usage_error.
struct space_mismatch : fatal_error {
    using fatal_error::fatal_error;
};

// One entry of a record's `params`.
struct param_info {
    std::int64_t index = 0;
    std::string name;
    double value = 0;        // the record's own value (what --around moves)
    bool read_only = false;  // "read_only": true
    std::uint32_t steps = 0; // "steps" (or the length of "step_texts"); 0: continuous
};

// Reads a record's `params`, in index order. Throws record_error when the
// field is missing or an entry is malformed (naming the entry).
std::vector<param_info> read_params(const json& record);

// One rule of a space file, as written.
struct space_rule {
    enum class kind { fixed, exclude, range };
    std::string key;
    kind what = kind::range;
    double value = 0;           // fixed
    double lo = 0, hi = 1;      // range
    std::uint32_t steps = 0;    // {"steps": N}: sample on N steps; 0: the plugin's
};

// Parses a space file's text: a JSON object whose keys are a parameter
// name, an index or a glob and whose values are a number in [0, 1] (fixed),
// "exclude", [lo, hi] or {"range": [lo, hi], "steps": N}. Throws
// usage_error naming `file` and the key for anything else.
std::vector<space_rule> parse_space(const std::string& text, const std::string& file);

// One parameter param-sample writes.
struct planned_param {
    std::int64_t index = 0;
    std::string key;            // the set_params key: the name when unique, else the index
    bool fixed = false;
    double fixed_value = 0;
    double lo = 0, hi = 1;      // the range sampled
    std::uint32_t steps = 0;    // discrete: N steps k / (N - 1); 0: continuous
    std::uint32_t k_lo = 0, k_hi = 0;  // discrete: the steps inside [lo, hi]
    double base = 0;            // the record's value (--around)
};

// Which parameters to write, in index order: every parameter but the
// read-only ones, those with one step and those the space excludes. Throws
// space_mismatch for a rule that names no parameter (with "did you mean" the
// nearest name), a glob that matches none, a read-only parameter given a
// value, two keys naming one parameter, a range that holds no step.
std::vector<planned_param> make_plan(const std::vector<param_info>& params, const std::vector<space_rule>& rules,
                                     const std::string& file);

// The set_params key of each parameter: its name when the name is unique
// among the plugin's parameters, not empty and not all digits; else its index.
std::vector<std::string> set_params_keys(const std::vector<param_info>& params);

}  // namespace vr::dataset
