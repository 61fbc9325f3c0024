// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace vr {

// Parses "60", "36,48,60", "21-108:12" (and mixes of them) into the listed
// numbers, in the order given, duplicates dropped. Every number must lie in
// min..max, and there may be at most max_list_items of them. Throws
// usage_error naming `flag` for anything else.
inline constexpr std::size_t max_list_items = 100000;
std::vector<int> parse_number_list(const std::string& text, int min, int max, const std::string& flag);

}  // namespace vr
