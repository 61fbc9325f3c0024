// SPDX-License-Identifier: GPL-3.0-or-later
// A one-line progress meter on stderr, for a render-one run by hand. Drawn
// only when stderr is a terminal: in a pipeline, records are the progress
// (pv -l counts them).
#pragma once
#include <chrono>
#include <cstddef>

#include "core/records.hpp"

namespace vr {

class progress_meter {
public:
    // Draws on fd (stderr) if and only if fd is a terminal.
    explicit progress_meter(int fd = 2);
    // Ends the line it drew, if any.
    ~progress_meter();
    progress_meter(const progress_meter&) = delete;
    progress_meter& operator=(const progress_meter&) = delete;

    bool enabled() const { return enabled_; }
    // Counts a finished record (an error is a failure) and redraws, at most
    // a few times a second, and always for the first record.
    void count(const json& record);

private:
    void draw();
    int fd_;
    bool enabled_;
    bool drawn_ = false;
    std::size_t done_ = 0, failed_ = 0, skipped_ = 0;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace vr
