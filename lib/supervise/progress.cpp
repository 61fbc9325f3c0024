// SPDX-License-Identifier: GPL-3.0-or-later
#include "supervise/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "core/tool.hpp"

namespace vr {

namespace {

using clock_type = std::chrono::steady_clock;
constexpr auto redraw_every = std::chrono::milliseconds(250);

}  // namespace

progress_meter::progress_meter(int fd) : fd_(fd), enabled_(::isatty(fd) == 1), start_(clock_type::now()) {}

progress_meter::~progress_meter() {
    if (!enabled_ || !drawn_) return;
    draw();
    // The meter is a courtesy: a failed write to the terminal changes nothing.
    [[maybe_unused]] auto n = ::write(fd_, "\n", 1);
}

void progress_meter::count(const json& record) {
    if (!enabled_) return;
    ++done_;
    if (is_error(record)) ++failed_;
    else if (is_skipped(record)) ++skipped_;
    auto now = clock_type::now();
    if (drawn_ && now - last_draw_ < redraw_every) return;
    draw();
}

void progress_meter::draw() {
    last_draw_ = clock_type::now();
    double s = std::chrono::duration<double>(last_draw_ - start_).count();
    std::size_t rendered = done_ - failed_ - skipped_;
    char line[200];
    int n = std::snprintf(line, sizeof line, "\r%s: %zu done, %zu failed, %zu skipped, %.1f renders/s\033[K",
                          tool_name().c_str(), done_, failed_, skipped_, s > 0 ? static_cast<double>(rendered) / s : 0.0);
    if (n <= 0) return;
    [[maybe_unused]] auto w = ::write(fd_, line, static_cast<std::size_t>(std::min<int>(n, sizeof line - 1)));
    drawn_ = true;
}

}  // namespace vr
