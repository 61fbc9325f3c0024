// SPDX-License-Identifier: GPL-3.0-or-later
// The record loop: lines read (core/lines.hpp) become records, a record
// handed to a tool or passed through, each written as one line.
#include "core/records.hpp"

#include <string_view>

#include "core/error.hpp"
#include "core/text.hpp"

namespace vr {

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
        bad = bad_line{std::string("JSON but not an object (") + json_type_name(record) + ")", line};
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
