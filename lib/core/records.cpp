// SPDX-License-Identifier: GPL-3.0-or-later
// over 400 lines: the record loop, its line reader and writer, and a bad
// line's record written straight as text share one contract (records.hpp)
// and its escaping; split, each half would need the other's internals.
#include "core/records.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <unistd.h>

#include "core/error.hpp"
#include "core/text.hpp"
#include "core/tool.hpp"

namespace vr {

void line_writer::write_line(std::string_view text) {
    // One write per line (a reader never sees half a record); most lines
    // fit the stack buffer and cost no allocation.
    char small[4096];
    std::string big;
    char* line = small;
    std::size_t size = text.size() + 1;
    if (size > sizeof small) {
        big.resize(size);
        line = big.data();
    }
    if (!text.empty()) std::memcpy(line, text.data(), text.size());
    line[text.size()] = '\n';
    std::size_t done = 0;
    while (done < size) {
        ssize_t n = ::write(fd_, line + done, size - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EPIPE) throw pipe_closed();
            throw fatal_error(std::string("cannot write standard output: ") + std::strerror(errno));
        }
        done += static_cast<std::size_t>(n);
    }
}

void record_writer::write(const json& record) {
    bool failed = is_error(record);
    if (source_ && record == *source_) {
        out_.write_line(*source_line_);
        ++written_;
        if (failed) ++failed_;
        return;
    }
    std::string text;
    try {
        text = record.dump(-1, ' ', false, json::error_handler_t::strict);
    } catch (const json::type_error&) {
        // A string that is not UTF-8 slipped into the record: report, never mangle.
        // An error message that quoted the bad bytes keeps its meaning, escaped.
        json r = record;
        auto err = record.find("error");
        if (failed && err != record.end() && err->is_object() && err->contains("message") &&
            (*err)["message"].is_string())
            set_error(r, printable_excerpt((*err)["message"].get<std::string>(), 4000));
        else
            set_error(r, "record holds text that is not valid UTF-8");
        failed = true;
        text = r.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    out_.write_line(text);
    ++written_;
    if (failed) ++failed_;
}

bool line_reader::fill() {
    if (eof_) return false;
    if (pos_ > 0) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
    char chunk[65536];
    for (;;) {
        ssize_t n = ::read(fd_, chunk, sizeof chunk);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw fatal_error(std::string("cannot read standard input: ") + std::strerror(errno));
        }
        if (n == 0) {
            eof_ = true;
            return false;
        }
        buf_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }
}

bool line_reader::next(std::string& line, bool& too_long) {
    too_long = false;
    line.clear();
    for (;;) {
        std::size_t nl = buf_.find('\n', pos_);
        if (nl != std::string::npos) {
            std::size_t len = nl - pos_;
            if (too_long) {
                // Already over the limit: drop the rest of the line.
            } else if (len > max_) {
                too_long = true;
                line.assign(buf_, pos_, std::min<std::size_t>(len, 200));
            } else {
                line.assign(buf_, pos_, len);
            }
            pos_ = nl + 1;
            ++line_no_;
            return true;
        }
        std::size_t pending = buf_.size() - pos_;
        if (pending > max_) {
            // Over the limit without a newline yet: keep only the start.
            if (!too_long) line.assign(buf_, pos_, 200);
            too_long = true;
            buf_.clear();
            pos_ = 0;
        }
        if (!fill()) {
            if (buf_.size() > pos_ || too_long) {
                if (!too_long) line.assign(buf_, pos_, std::string::npos);
                buf_.clear();
                pos_ = 0;
                ++line_no_;
                return true;
            }
            return false;
        }
    }
}

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

namespace {

const char* type_name(const json& v) {
    if (v.is_string()) return "a string";
    if (v.is_boolean()) return "a boolean";
    if (v.is_number()) return "a number";
    if (v.is_array()) return "an array";
    if (v.is_object()) return "an object";
    return "null";
}

const json* field(const json& record, const char* key) {
    auto it = record.find(key);
    if (it == record.end() || it->is_null()) return nullptr;
    return &*it;
}

[[noreturn]] void wrong_type(const char* key, const char* want, const json& v) {
    throw record_error(std::string("field '") + key + "' must be " + want + ", not " + type_name(v) +
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

namespace {

// nlohmann's own DOM builder, but a parse error (or out_of_range, for 1e999)
// is kept as our message, not thrown: a throw costs an unwind a bad line.
//
// A record's object is made with room for the fields the tools add: an
// ordered_json object is a vector of (const key, value) pairs, which its
// growth copies whole (a const key cannot be moved), values and all; a
// dataset job's set_params was copied every time a record grew.
class dom_keeping_error : public nlohmann::detail::json_sax_dom_parser<json> {
public:
    // Objects this deep (0: the value itself) are made with room.
    dom_keeping_error(json& result, int room_depth)
        : json_sax_dom_parser(result, false), result_(result), room_depth_(room_depth) {}
    bool start_object(std::size_t len) {
        const bool ok = json_sax_dom_parser::start_object(len);
        if (depth_ < room_depth_) room_in(result_, depth_);
        ++depth_;
        return ok;
    }
    bool end_object() {
        --depth_;
        return json_sax_dom_parser::end_object();
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
        std::string_view why = e.what();
        // nlohmann says "[json.exception.parse_error.101] parse error at line 1,
        // column 2: syntax error ...": keep what follows the position.
        // It also quotes the bytes last read, which may be long or not
        // UTF-8: escape and cut them so that the record can be written.
        auto colon = why.find(": ");
        auto tag_end = why.find("] ");
        std::string_view detail = colon != std::string_view::npos ? why.substr(colon + 2)
                                  : tag_end != std::string_view::npos ? why.substr(tag_end + 2)
                                                                      : why;
        message = "not JSON: ";
        message += printable_excerpt(detail, 200);
        return false;
    }
    std::string message;  // empty while no error

private:
    static constexpr std::size_t record_room = 64;
    // The object just started at depth: the last one opened on the way down.
    static void room_in(json& v, int depth) {
        json* at = &v;
        for (int d = 0; d < depth && at; ++d) {
            if (at->is_object() && !at->empty())
                at = &at->get_ref<json::object_t&>().back().second;
            else if (at->is_array() && !at->empty())
                at = &at->back();
            else
                at = nullptr;
        }
        if (at && at->is_object() && at->empty()) at->get_ref<json::object_t&>().reserve(record_room);
    }
    json& result_;
    int room_depth_;
    int depth_ = 0;
};

struct bad_line {  // a line that cannot be a record: what its error record says
    std::string message;
    std::string_view text;
};

// Reads one line as a record, or describes in `bad` why it cannot be one.
// Returns false for a blank line.
bool line_to_record(std::string& line, bool too_long, std::size_t max_line, json& record,
                    std::optional<bad_line>& bad) {
    if (too_long) {
        bad = bad_line{"line longer than " + std::to_string(max_line) + " bytes", line};
        return true;
    }
    // A byte order mark (Windows editors write one) is no part of the
    // record: nlohmann passes over it, and a record passed on as its line
    // must not carry it out.
    if (line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
    if (line.find_first_not_of(" \t\r") == std::string::npos) return false;
    // nlohmann ends its input at a NUL, so `{}` NUL `junk` would pass as `{}`
    // and go out whole, not JSON.
    if (line.find('\0') != std::string::npos) {
        bad = bad_line{"line holds a NUL byte", line};
        return true;
    }
    dom_keeping_error builder(record, 1);
    if (!json::sax_parse(line, &builder) || !builder.message.empty()) {
        bad = bad_line{std::move(builder.message), line};
        return true;
    }
    if (!record.is_object())
        bad = bad_line{std::string("JSON but not an object (") + type_name(record) + ")", line};
    return true;
}

std::size_t g_record_line = 0;

// Clears the writer's source record when one input record is done with.
struct source_scope {
    record_writer& out;
    source_scope(record_writer& w, const json* record, const std::string* line) : out(w) {
        out.set_source(record, line);
    }
    ~source_scope() { out.set_source(nullptr, nullptr); }
};

}  // namespace

int for_each_record(int in_fd, record_writer& out, const record_fn& fn,
                    const record_loop_options& options) {
    line_reader reader(in_fd, options.max_line);
    std::string line;
    bool too_long = false;
    while (reader.next(line, too_long)) {
        json record;
        std::optional<bad_line> bad;
        if (!line_to_record(line, too_long, options.max_line, record, bad)) continue;
        bool readable = !bad;
        if (bad && options.pass_errors) {
            // Straight through: written as text, no value built and dumped.
            if (auto text = bad_line_json(reader.line_number(), bad->message, bad->text)) {
                out.write_text(*text, true);
                continue;
            }
        }
        if (bad) record = bad_line_record(reader.line_number(), bad->message, bad->text);
        if ((options.pass_errors && is_error(record)) || (options.pass_skipped && is_skipped(record))) {
            source_scope scope(out, readable ? &record : nullptr, &line);
            out.write(record);
            continue;
        }
        json keep = record;
        source_scope scope(out, readable ? &keep : nullptr, &line);
        g_record_line = reader.line_number();
        try {
            fn(std::move(record), out);
            g_record_line = 0;
        } catch (const fatal_error&) {
            throw;
        } catch (const pipe_closed&) {
            throw;
        } catch (const std::bad_alloc&) {
            throw;
        } catch (const std::exception& e) {
            g_record_line = 0;
            out.set_source(nullptr, nullptr);
            set_error(keep, e.what());
            out.write(keep);
        }
    }
    return out.exit_code();
}

std::size_t current_record_line() noexcept { return g_record_line; }

json parse_with_room(const std::string& text) {
    json value;
    dom_keeping_error builder(value, 2);
    if (!json::sax_parse(text, &builder) || !builder.message.empty()) return json(json::value_t::discarded);
    return value;
}

}  // namespace vr
