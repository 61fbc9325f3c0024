// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <functional>
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

// Writes whole lines to a file descriptor, one write(2) per line, so that a
// reader (or `parallel --line-buffer`) never sees half a record. A closed
// pipe throws pipe_closed; any other failure fatal_error.
class line_writer {
public:
    explicit line_writer(int fd = 1) : fd_(fd) {}
    void write_line(std::string_view text);
    int fd() const noexcept { return fd_; }

private:
    int fd_;
};

// Writes records as compact UTF-8 JSON lines and counts the failed ones.
class record_writer {
public:
    explicit record_writer(int fd = 1) : out_(fd) {}
    void write(const json& record);
    // While a tool handles one input record (for_each_record sets this and
    // clears it): a record written equal to that input goes out as the input
    // line itself, byte for byte, so that a record passed on unchanged keeps
    // the very digits of its numbers.
    void set_source(const json* record, const std::string* line) noexcept {
        source_ = record;
        source_line_ = line;
    }
    // Writes a line that is already a record's compact JSON, counting it as
    // one written record (and a failed one when `failed`).
    void write_text(std::string_view line, bool failed) {
        out_.write_line(line);
        ++written_;
        if (failed) ++failed_;
    }
    std::size_t written() const noexcept { return written_; }
    std::size_t failed() const noexcept { return failed_; }
    // 1 when any record written had status "error", else 0.
    int exit_code() const noexcept { return failed_ ? 1 : 0; }

private:
    line_writer out_;
    std::size_t written_ = 0;
    std::size_t failed_ = 0;
    const json* source_ = nullptr;
    const std::string* source_line_ = nullptr;
};

// Reads lines from a file descriptor, each at most max_bytes long; a longer
// line is consumed and reported as too long without being kept in memory.
class line_reader {
public:
    line_reader(int fd, std::size_t max_bytes) : fd_(fd), max_(max_bytes) {}
    // The next line without its newline; false at end of input. `too_long`
    // is set when the line was over the limit (then `line` holds its start).
    bool next(std::string& line, bool& too_long);
    std::size_t line_number() const noexcept { return line_no_; }

private:
    bool fill();
    int fd_;
    std::size_t max_;
    std::string buf_;
    std::size_t pos_ = 0;
    bool eof_ = false;
    std::size_t line_no_ = 0;
};

// The default cap on one input line.
inline constexpr std::size_t default_max_line = 16u << 20;

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

// What for_each_record does with records it does not hand to the tool.
struct record_loop_options {
    bool pass_errors = true;   // errored records (and unreadable lines) go straight through
    bool pass_skipped = true;  // "skipped" records go straight through
    std::size_t max_line = default_max_line;
};

using record_fn = std::function<void(json&& record, record_writer& out)>;

// Parses text as JSON, as json::parse(text, nullptr, false) does (a
// discarded value when it is not JSON), its objects at the top and one
// level down made with room for a record's fields: for answers whose
// record the reader adds to (see json).
json parse_with_room(const std::string& text);

// Reads records from in_fd and hands each to fn, which writes zero or more
// records to out (one equal to the input goes out as the input line, see
// record_writer::set_source). Errored and skipped records pass through
// untouched unless
// the options hand them to fn too; a line that is not a JSON object becomes
// an error record with its line number; an exception from fn (other than fatal_error or
// pipe_closed) turns the record into an error record. Returns the exit code:
// 1 when any record written failed, else 0.
int for_each_record(int in_fd, record_writer& out, const record_fn& fn,
                    const record_loop_options& options = {});

// While for_each_record's fn runs: the input line number of its record (1
// the first line), for messages that name the place; 0 outside it.
std::size_t current_record_line() noexcept;

}  // namespace vr
