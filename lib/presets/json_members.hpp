// SPDX-License-Identifier: GPL-3.0-or-later
// A strict reader of one JSON document that keeps only its top level: the
// members of the object it is, with the text of those that are strings.
// Built for presets of hundreds of kilobytes (Vital's) read in a scan, where
// a whole parse into values would cost ten times as much.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vr {

// One member of the top-level object.
struct json_member {
    enum class type { string, number, object, array, boolean, null };
    std::string key;          // decoded
    type kind = type::null;
    std::string text;         // the decoded string, for type::string
    std::size_t offset = 0;   // where the value starts
};

// Reads `text` as a whole JSON document (RFC 8259: strings valid UTF-8,
// escapes and surrogate pairs checked, numbers past a double's range
// refused, nesting at most max_json_depth deep, nothing but white space
// after it), which must be an object; gives its members in order. Throws
// format_error ("byte N: ...") at the first fault, N counted from `base`.
std::vector<json_member> read_json_members(std::string_view text, std::size_t base = 0);

inline constexpr int max_json_depth = 512;

// What a member's type is called in messages: "a string", "an object", ...
const char* json_type_text(json_member::type kind);

}  // namespace vr
