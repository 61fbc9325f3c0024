// SPDX-License-Identifier: GPL-3.0-or-later
// Lines in and out of a file descriptor: the byte side of the record loop
// (core/records.hpp), which knows no JSON.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace vr {

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

// Reads lines from a file descriptor, each at most max_bytes long; a longer
// line is consumed and reported as too long without being kept in memory.
class line_reader {
public:
    line_reader(int fd, std::size_t max_bytes) : fd_(fd), max_(max_bytes) {}
    // The next line without its newline; false at end of input. `too_long`
    // is set when the line was over the limit (then `line` holds its start).
    bool next(std::string& line, bool& too_long);
    std::size_t line_number() const noexcept { return line_no_; }
    // Whether a whole line is read already: next() then returns it at once.
    bool line_buffered() const noexcept { return buf_.find('\n', pos_) != std::string::npos; }

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

}  // namespace vr
