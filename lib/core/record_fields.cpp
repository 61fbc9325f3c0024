// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/record_fields.hpp"

#include <cmath>
#include <cstdio>

#include "core/error.hpp"
#include "core/text.hpp"
#include "core/tool.hpp"

namespace vr {

bool is_error(const json& record) {
    auto it = record.find("status");
    return it != record.end() && it->is_string() && it->get_ref<const std::string&>() == "error";
}

bool is_skipped(const json& record) {
    auto it = record.find("status");
    return it != record.end() && it->is_string() && it->get_ref<const std::string&>() == "skipped";
}

void set_error(json& record, const std::string& message) {
    record["status"] = "error";
    record["error"] = json{{"tool", tool_name()}, {"message", message}};
}

json bad_line_record(std::size_t line, const std::string& message, std::string_view text) {
    // Built field by field: a nested initializer list copies every value
    // through temporaries (dozens of allocations for each bad line).
    json r = json::object();
    r.get_ref<json::object_t&>().reserve(2);
    r["status"] = "error";
    json& error = r["error"];
    error = json::object();
    error.get_ref<json::object_t&>().reserve(4);
    error["tool"] = tool_name();
    std::string said = "line " + std::to_string(line) + ": ";
    said += message;
    error["message"] = std::move(said);
    error["line"] = line;
    error["text"] = printable_excerpt(text, 80);
    return r;
}

namespace {

// Appends s (the inside of a JSON string), escaped as nlohmann's dump
// escapes valid UTF-8 (ensure_ascii off: only quote, backslash and controls).
void append_json_chars(std::string& out, std::string_view s) {
    // Runs of bytes that need no escape go in whole, not byte by byte.
    std::size_t plain = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char ch = s[i];
        if (ch != '"' && ch != '\\' && static_cast<unsigned char>(ch) >= 0x20) continue;
        out.append(s.data() + plain, i - plain);
        plain = i + 1;
        switch (ch) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(ch)));
            out += buf;
        }
    }
    out.append(s.data() + plain, s.size() - plain);
}

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    append_json_chars(out, s);
    out += '"';
}

}  // namespace

std::optional<std::string> bad_line_json(std::size_t line, const std::string& message,
                                         std::string_view text) {
    const std::string& tool = tool_name();
    std::string shown = printable_excerpt(text, 80);
    // Text that is not UTF-8 is record_writer's to report, as it always has.
    if (!valid_utf8(tool) || !valid_utf8(message) || !valid_utf8(shown)) return std::nullopt;
    char number[24];
    int digits = std::snprintf(number, sizeof number, "%zu", line);
    std::string_view num(number, static_cast<std::size_t>(digits));
    // Room for the escapes of a usual line too: one allocation.
    std::string out;
    out.reserve(128 + 2 * (tool.size() + message.size() + shown.size()));
    out += R"({"status":"error","error":{"tool":)";
    append_json_string(out, tool);
    out += R"(,"message":"line )";
    out += num;
    out += ": ";
    append_json_chars(out, message);
    out += R"(","line":)";
    out += num;
    out += R"(,"text":)";
    append_json_string(out, shown);
    out += "}}";
    return out;
}

const char* json_type_name(const json& v) {
    if (v.is_string()) return "a string";
    if (v.is_boolean()) return "a boolean";
    if (v.is_number()) return "a number";
    if (v.is_array()) return "an array";
    if (v.is_object()) return "an object";
    return "null";
}

namespace {

const json* field(const json& record, const char* key) {
    auto it = record.find(key);
    if (it == record.end() || it->is_null()) return nullptr;
    return &*it;
}

[[noreturn]] void wrong_type(const char* key, const char* want, const json& v) {
    throw record_error(std::string("field '") + key + "' must be " + want + ", not " + json_type_name(v) +
                       " (" + printable_excerpt(v.dump(-1, ' ', false, json::error_handler_t::replace), 40) +
                       ")");
}

}  // namespace

std::optional<std::string> get_string(const json& record, const char* key) {
    const json* v = field(record, key);
    if (!v) return std::nullopt;
    if (!v->is_string()) wrong_type(key, "a string", *v);
    return v->get<std::string>();
}

std::optional<double> get_number(const json& record, const char* key) {
    const json* v = field(record, key);
    if (!v) return std::nullopt;
    if (!v->is_number()) wrong_type(key, "a number", *v);
    return v->get<double>();
}

std::optional<std::int64_t> get_integer(const json& record, const char* key, std::int64_t min,
                                        std::int64_t max) {
    const json* v = field(record, key);
    if (!v) return std::nullopt;
    auto out_of_range = [&]() {
        return record_error(std::string("field '") + key + "' is " + v->dump() + ", outside " +
                            std::to_string(min) + ".." + std::to_string(max));
    };
    if (v->is_number_unsigned()) {
        std::uint64_t u = v->get<std::uint64_t>();
        if (max < 0 || u > static_cast<std::uint64_t>(max)) throw out_of_range();
        auto n = static_cast<std::int64_t>(u);
        if (n < min) throw out_of_range();
        return n;
    }
    if (v->is_number_integer()) {
        auto n = v->get<std::int64_t>();
        if (n < min || n > max) throw out_of_range();
        return n;
    }
    if (v->is_number_float()) {
        double d = v->get<double>();
        if (d != std::floor(d)) wrong_type(key, "a whole number", *v);
        if (d < static_cast<double>(min) || d > static_cast<double>(max)) throw out_of_range();
        return static_cast<std::int64_t>(d);
    }
    wrong_type(key, "a whole number", *v);
}

std::optional<std::string> get_path(const json& record, const char* key) {
    auto s = get_string(record, key);
    if (!s) return s;
    if (s->empty()) throw record_error(std::string("field '") + key + "' is an empty path");
    if (s->find('\0') != std::string::npos)
        throw record_error(std::string("field '") + key + "' holds a NUL byte");
    return s;
}

}  // namespace vr
