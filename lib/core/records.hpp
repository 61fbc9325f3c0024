// SPDX-License-Identifier: GPL-3.0-or-later
// The record loop every record tool runs (for_each_record) and the
// writer of its records. Its parts, included here for every tool: lines
// in and out (core/lines.hpp), a record and its fields
// (core/record_fields.hpp).
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "core/lines.hpp"
#include "core/record_fields.hpp"

namespace vr {

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
