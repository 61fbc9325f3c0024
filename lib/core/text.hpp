// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <string>
#include <string_view>

namespace vr {

// True when s is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
bool valid_utf8(std::string_view s);

// At most max_bytes of s, cut on a UTF-8 character boundary.
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes);

// s shortened for a message: at most max_bytes, invalid bytes shown as \xHH,
// control characters escaped, "..." appended when cut.
std::string printable_excerpt(std::string_view s, std::size_t max_bytes = 60);

}  // namespace vr
