// SPDX-License-Identifier: GPL-3.0-or-later
// The record loop every tool runs: vr::line_reader and vr::for_each_record
// over arbitrary bytes, with a small line cap so that over-long lines are
// reached in small inputs. The tool's part echoes each record, or throws
// when asked to. Each line costs dozens of sanitized allocations, so the
// checks parse only what they must: a good record's output line is compared
// byte for byte with its input line (record_writer's promise), not parsed,
// and the other lines are read by SAX events, never built as values.
#include <sys/mman.h>
#include <unistd.h>

#include <optional>
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

// What the checks ask of a line, read by SAX events: a DOM costs an
// allocation per value under ASan. Same answers as the DOM's: the last of
// two equal keys wins, as there.
class record_facts final : public vr::json::json_sax_t {
public:
    bool object = false;        // a JSON object
    bool failed = false;        // "status" is "error"
    bool skipped = false;       // "status" is "skipped"
    bool throws = false;        // has a "throw" field
    bool error_object = false;  // "error" is an object
    std::optional<std::uint64_t> line;  // error.line, a whole number

    bool null() override { return value(false, nullptr, nullptr); }
    bool boolean(bool) override { return value(false, nullptr, nullptr); }
    bool number_integer(number_integer_t) override { return value(false, nullptr, nullptr); }
    bool number_unsigned(number_unsigned_t v) override {
        std::uint64_t n = v;
        return value(false, nullptr, &n);
    }
    bool number_float(number_float_t, const string_t&) override { return value(false, nullptr, nullptr); }
    bool string(string_t& s) override { return value(false, &s, nullptr); }
    bool binary(binary_t&) override { return value(false, nullptr, nullptr); }
    bool start_object(std::size_t) override {
        value(true, nullptr, nullptr);
        ++depth_;
        return true;
    }
    bool key(string_t& k) override {
        if (depth_ == 1) {
            key1_ = k;
            if (k == "throw") throws = true;
        } else if (depth_ == 2) {
            key2_ = k;
        }
        return true;
    }
    bool end_object() override { return end(); }
    bool start_array(std::size_t) override {
        value(false, nullptr, nullptr);
        ++depth_;
        return true;
    }
    bool end_array() override { return end(); }
    bool parse_error(std::size_t, const std::string&, const vr::json::exception&) override {
        return false;
    }

private:
    // A value starts at the current depth, under the current key.
    bool value(bool is_object, const std::string* text, const std::uint64_t* number) {
        if (depth_ == 0) {
            object = is_object;
        } else if (depth_ == 1 && key1_ == "status") {
            failed = text && *text == "error";
            skipped = text && *text == "skipped";
        } else if (depth_ == 1 && key1_ == "error") {
            error_object = in_error_ = is_object;
            line.reset();
        } else if (depth_ == 2 && in_error_ && key2_ == "line") {
            line = number ? std::optional<std::uint64_t>(*number) : std::nullopt;
        }
        return true;
    }
    bool end() {
        if (--depth_ == 1) in_error_ = false;
        return true;
    }
    std::size_t depth_ = 0;
    bool in_error_ = false;  // inside the top-level "error" object
    std::string key1_, key2_;
};

// The facts of a line that is JSON, or nullopt.
std::optional<record_facts> facts_of(std::string_view line) {
    record_facts f;
    if (!vr::json::sax_parse(line, &f)) return std::nullopt;
    return f;
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
        // Only a line starting '{' can be an object: the rest need no parse.
        std::optional<record_facts> want;
        if (!too_long && line[line.find_first_not_of(" \t\r")] == '{') want = facts_of(line);
        bool good = want && want->object;
        if (good && (want->failed || want->skipped || !want->throws)) {
            // Passed on unchanged: the very bytes that came in.
            vr_fuzz_require(out_line == line);
            continue;
        }
        std::optional<record_facts> got = facts_of(out_line);
        vr_fuzz_require(got && got->object && got->failed);
        // A bad line's error record carries its line number.
        if (!good) vr_fuzz_require(got->error_object && got->line == i + 1);
    }
    vr_fuzz_require(k == out_lines.size());
}
