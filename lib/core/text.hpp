// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vr {

// True when s is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
bool valid_utf8(std::string_view s);

// At most max_bytes of s, cut on a UTF-8 character boundary.
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes);

// s shortened for a message: at most max_bytes, invalid bytes shown as \xHH,
// control characters escaped, "..." appended when cut.
std::string printable_excerpt(std::string_view s, std::size_t max_bytes = 60);

// A computed number for a message, to six significant digits ("1200",
// "999.001", "2.95"): what a user reads, not every bit of the double.
std::string message_number(double v);

// The Levenshtein distance between a and b: the fewest single-byte
// insertions, deletions and substitutions that turn one into the other.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The indexes of the at most `count` candidates nearest to word by
// edit_distance, ASCII case ignored, nearest first (ties in candidate
// order), leaving out those further than max_distance: for "did you mean"
// suggestions.
std::vector<std::size_t> closest_matches(std::string_view word, const std::vector<std::string>& candidates,
                                         std::size_t count, std::size_t max_distance = SIZE_MAX);

}  // namespace vr
