// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

namespace vr {

// A problem with one record or one file: it becomes that record's `error`
// and the run goes on (exit 1 at the end).
struct record_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A record_error of a process that hosted the plugin and died (the
// Windows worker: the plugin crashed there, or a signal killed it): worth
// a retry (--retries), as a job's child's death is (linux/child.hpp);
// signal, when one killed it, is the record's error.signal ("SIGKILL").
struct host_died : record_error {
    explicit host_died(const std::string& message, std::string signal_name = "")
        : record_error(message), signal(std::move(signal_name)) {}
    std::string signal;
};

// Malformed binary or text input, found by a parser; `offset` is where.
struct format_error : record_error {
    format_error(const std::string& message, std::size_t offset)
        : record_error(message), offset(offset) {}
    std::size_t offset;
};

// A bad command line: nothing was processed, exit 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The run cannot go on (stdout unwritable, internal error): exit 3.
struct fatal_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The reader downstream closed the pipe: a quiet, successful end.
struct pipe_closed : std::exception {
    const char* what() const noexcept override { return "pipe closed"; }
};

// The exit codes of HOUSE-STYLE.md, in one place.
enum exit_code : int {
    exit_ok = 0,
    exit_failed_records = 1,
    exit_usage = 2,
    exit_fatal = 3,
};

}  // namespace vr
