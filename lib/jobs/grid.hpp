// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "core/records.hpp"

namespace vr {

// Parses "60", "36,48,60", "21-108:12" (and mixes of them) into the listed
// numbers, in the order given, duplicates dropped. Every number must lie in
// min..max, and there may be at most max_list_items of them. Throws
// usage_error naming `flag` for anything else.
inline constexpr std::size_t max_list_items = 100000;
std::vector<int> parse_number_list(const std::string& text, int min, int max, const std::string& flag);

// Tempos for job-grid --bpms: items as parse_number_list's, between min_bpm
// and max_bpm (jobs/tempo_fields.hpp), where a single item may also be a
// decimal ("92.5", read by parse_bpm); a range's ends and step are whole
// numbers. In the order given, equal values once. Throws usage_error naming
// flag and the item.
std::vector<double> parse_bpm_list(const std::string& text, const std::string& flag);

// "a.wav,b.wav": the paths, in order, duplicates dropped; an empty item
// is a usage_error naming flag.
std::vector<std::string> parse_path_list(const std::string& text, const std::string& flag);
// One path a line of the file (blank lines skipped, a trailing carriage
// return dropped), duplicates dropped; throws usage_error when it cannot be
// read or names none.
std::vector<std::string> read_path_list(const std::string& file);

// One field of a grid and the values it takes.
struct grid_axis {
    std::string field;
    std::vector<json> values;
    template <typename T>
    static grid_axis of(std::string field, const std::vector<T>& values) {
        return {std::move(field), std::vector<json>(values.begin(), values.end())};
    }
};

// Calls emit with record once per combination of the axes' values (the
// first axis outermost), each field set; with no axes, once, unchanged.
void for_each_cross(const json& record, const std::vector<grid_axis>& axes, const std::function<void(const json&)>& emit);

}  // namespace vr
