// SPDX-License-Identifier: GPL-3.0-or-later
// The record loop every tool runs: vr::line_reader and vr::for_each_record
// over arbitrary bytes, with a small line cap so that over-long lines are
// reached in small inputs. The tool's part echoes each record, or throws
// when asked to. Each line costs dozens of sanitized allocations, so the
// checks parse only what they must: a good record's output line is compared
// byte for byte with its input line (record_writer's promise), not parsed.
#include <sys/mman.h>
#include <unistd.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/records.hpp"
#include "targets.hpp"

namespace {

constexpr std::size_t max_line = 256;

// An anonymous in-memory file holding `text`, read from its start.
int memory_file(std::string_view text) {
    int fd = memfd_create("vr-fuzz", 0);
    vr_fuzz_require(fd >= 0);
    for (std::size_t done = 0; done < text.size();) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        vr_fuzz_require(n > 0);
        done += static_cast<std::size_t>(n);
    }
    vr_fuzz_require(::lseek(fd, 0, SEEK_SET) == 0);
    return fd;
}

std::string read_all(int fd) {
    vr_fuzz_require(::lseek(fd, 0, SEEK_SET) == 0);
    std::string s;
    char buf[65536];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) s.append(buf, static_cast<std::size_t>(n));
    return s;
}

std::vector<std::string_view> split_lines(std::string_view s) {
    std::vector<std::string_view> lines;
    while (!s.empty()) {
        auto nl = s.find('\n');
        if (nl == std::string_view::npos) nl = s.size();
        lines.push_back(s.substr(0, nl));
        s.remove_prefix(std::min(s.size(), nl + 1));
    }
    return lines;
}

// The line number an error record for a bad line carries.
bool is_bad_line_record(const vr::json& r, std::size_t line) {
    return vr::is_error(r) && r["error"].is_object() && r["error"].value("line", 0u) == line;
}

}  // namespace

void vr_fuzz_records(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    int in = memory_file(input);
    int out_fd = memfd_create("vr-fuzz-out", 0);
    vr_fuzz_require(out_fd >= 0);
    {
        vr::record_writer out(out_fd);
        vr::record_loop_options options;
        options.max_line = max_line;
        vr::for_each_record(
            in, out,
            [](vr::json&& record, vr::record_writer& w) {
                if (record.contains("throw")) throw vr::record_error("asked to fail");
                w.write(record);
            },
            options);
    }
    std::vector<std::string_view> in_lines = split_lines(input);
    std::string output = read_all(out_fd);
    ::close(in);
    ::close(out_fd);
    vr_fuzz_require(output.empty() || output.back() == '\n');
    std::vector<std::string_view> out_lines = split_lines(output);

    // Each input line: nothing when blank, else exactly one record, in order.
    std::size_t k = 0;
    for (std::size_t i = 0; i < in_lines.size(); ++i) {
        std::string_view line = in_lines[i];
        bool too_long = line.size() > max_line;
        if (!too_long && line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
        vr_fuzz_require(k < out_lines.size());
        std::string_view out_line = out_lines[k++];
        vr::json want;
        if (!too_long) want = vr::json::parse(line, nullptr, false);
        bool good = !too_long && !want.is_discarded() && want.is_object();
        if (good && (vr::is_error(want) || vr::is_skipped(want) || !want.contains("throw"))) {
            // Passed on unchanged: the very bytes that came in.
            vr_fuzz_require(out_line == line);
            continue;
        }
        vr::json got = vr::json::parse(out_line, nullptr, false);
        vr_fuzz_require(!got.is_discarded() && got.is_object());
        if (good)
            vr_fuzz_require(vr::is_error(got));
        else
            vr_fuzz_require(is_bad_line_record(got, i + 1));
    }
    vr_fuzz_require(k == out_lines.size());
}
