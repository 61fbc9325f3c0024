// SPDX-License-Identifier: GPL-3.0-or-later
// One UTF-8 character at a time, for the text readers of presets (JSON,
// XML): decoding a character where it stands, and writing one.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vr {

// The length of the well-formed UTF-8 character at s[i] (1 to 4), its code
// point in `cp`; 0 when the bytes there are no such character (an overlong,
// a surrogate, past U+10FFFF, cut short).
std::size_t utf8_char_at(std::string_view s, std::size_t i, std::uint32_t& cp);

// Appends code point `cp` (at most U+10FFFF) to `out` as UTF-8.
void append_utf8(std::string& out, std::uint32_t cp);

}  // namespace vr
