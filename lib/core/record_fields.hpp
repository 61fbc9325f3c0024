// SPDX-License-Identifier: GPL-3.0-or-later
// What a record is (json) and what a tool reads and writes in one: its
// status, its error, a bad line's error record, typed fields.
#pragma once
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace vr {

// Records keep their fields in the order they came in. An object is a
// vector of (const key, value) pairs: its growth copies every value it
// holds (a const key cannot be moved), so an object built field by field
// reserves its room first; records read by for_each_record come with room.
using json = nlohmann::ordered_json;

bool is_error(const json& record);
bool is_skipped(const json& record);

// Marks record as failed by this tool: status "error", error {tool, message}.
void set_error(json& record, const std::string& message);

// A record standing for an input line that could not be read as an object.
json bad_line_record(std::size_t line, const std::string& message, std::string_view text);

// The same record as the line record_writer writes for it, byte for byte,
// built as text (a value and its dump cost a dozen allocations a line);
// nullopt when the tool name or message is not valid UTF-8.
std::optional<std::string> bad_line_json(std::size_t line, const std::string& message,
                                         std::string_view text);

// Typed access to known fields. Each returns nullopt when the field is absent
// (or null) and throws record_error naming the field when it has the wrong type
// or is out of range.
std::optional<std::string> get_string(const json& record, const char* key);
std::optional<double> get_number(const json& record, const char* key);
std::optional<std::int64_t> get_integer(const json& record, const char* key, std::int64_t min,
                                        std::int64_t max);
// A path field: a non-empty string without NUL bytes.
std::optional<std::string> get_path(const json& record, const char* key);

// "a string", "a number", ... "null": a value's kind, for messages.
const char* json_type_name(const json& v);

}  // namespace vr
