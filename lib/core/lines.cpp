// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/lines.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <unistd.h>

#include "core/error.hpp"

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

}  // namespace vr
