// SPDX-License-Identifier: GPL-3.0-or-later
// The record loop every tool runs: vr::line_reader and vr::for_each_record
// over arbitrary bytes, with a small line cap so that over-long lines are
// reached in small inputs. The tool's part echoes each record, or throws
// when asked to. Each line costs dozens of sanitized allocations, so the
// checks parse only what they must: a good record's output line is compared
// byte for byte with its input line (record_writer's promise), not parsed;
// an input line that may be an object is read by SAX events, never built as
// a value; the error records the loop writes (most output lines) are read
// by a strict JSON checker here that allocates nothing; and the checks carry
// no coverage callbacks (VR_FUZZ_UNTRACED).
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/records.hpp"
#include "json_checker.hpp"
#include "targets.hpp"

namespace {

constexpr std::size_t max_line = 256;

// Two anonymous in-memory files, made once and refilled for each input
// (making them costs two system calls and an inode each time).
struct memory_files {
    int in = memfd_create("vr-fuzz-in", 0);
    int out = memfd_create("vr-fuzz-out", 0);
};

// Makes fd hold exactly `text`, read from its start.
VR_FUZZ_UNTRACED void refill(int fd, std::string_view text) {
    vr_fuzz_require(fd >= 0);
    for (std::size_t done = 0; done < text.size();) {
        ssize_t n = ::pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
        vr_fuzz_require(n > 0);
        done += static_cast<std::size_t>(n);
    }
    vr_fuzz_require(::ftruncate(fd, static_cast<off_t>(text.size())) == 0);
    vr_fuzz_require(::lseek(fd, 0, SEEK_SET) == 0);
}

// What was written to fd from its start up to its offset (the file is not
// truncated between inputs: its pages are kept, page faults spared).
VR_FUZZ_UNTRACED void written(int fd, std::string& s) {
    off_t end = ::lseek(fd, 0, SEEK_CUR);
    vr_fuzz_require(end >= 0);
    s.resize(static_cast<std::size_t>(end));
    for (std::size_t done = 0; done < s.size();) {
        ssize_t n = ::pread(fd, s.data() + done, s.size() - done, static_cast<off_t>(done));
        vr_fuzz_require(n > 0);
        done += static_cast<std::size_t>(n);
    }
}

// The next line of s (without its newline), s moved past it.
VR_FUZZ_UNTRACED std::string_view next_line(std::string_view& s) {
    auto nl = s.find('\n');
    if (nl == std::string_view::npos) nl = s.size();
    std::string_view line = s.substr(0, nl);
    s.remove_prefix(std::min(s.size(), nl + 1));
    return line;
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

    VR_FUZZ_UNTRACED bool null() override { return value(false, nullptr, nullptr); }
    VR_FUZZ_UNTRACED bool boolean(bool) override { return value(false, nullptr, nullptr); }
    VR_FUZZ_UNTRACED bool number_integer(number_integer_t) override { return value(false, nullptr, nullptr); }
    VR_FUZZ_UNTRACED bool number_unsigned(number_unsigned_t v) override {
        std::uint64_t n = v;
        return value(false, nullptr, &n);
    }
    VR_FUZZ_UNTRACED bool number_float(number_float_t, const string_t&) override { return value(false, nullptr, nullptr); }
    VR_FUZZ_UNTRACED bool string(string_t& s) override { return value(false, &s, nullptr); }
    VR_FUZZ_UNTRACED bool binary(binary_t&) override { return value(false, nullptr, nullptr); }
    VR_FUZZ_UNTRACED bool start_object(std::size_t) override {
        value(true, nullptr, nullptr);
        ++depth_;
        return true;
    }
    VR_FUZZ_UNTRACED bool key(string_t& k) override {
        if (depth_ == 1) {
            key1_ = k;
            if (k == "throw") throws = true;
        } else if (depth_ == 2) {
            key2_ = k;
        }
        return true;
    }
    VR_FUZZ_UNTRACED bool end_object() override { return end(); }
    VR_FUZZ_UNTRACED bool start_array(std::size_t) override {
        value(false, nullptr, nullptr);
        ++depth_;
        return true;
    }
    VR_FUZZ_UNTRACED bool end_array() override { return end(); }
    VR_FUZZ_UNTRACED bool parse_error(std::size_t, const std::string&, const vr::json::exception&) override {
        return false;
    }

private:
    // A value starts at the current depth, under the current key.
    VR_FUZZ_UNTRACED bool value(bool is_object, const std::string* text, const std::uint64_t* number) {
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
    VR_FUZZ_UNTRACED bool end() {
        if (--depth_ == 1) in_error_ = false;
        return true;
    }
    std::size_t depth_ = 0;
    bool in_error_ = false;  // inside the top-level "error" object
    std::string key1_, key2_;
};

// The facts of a line that is JSON, or nullopt.
VR_FUZZ_UNTRACED std::optional<record_facts> facts_of(std::string_view line) {
    record_facts f;
    if (!vr::json::sax_parse(line, &f)) return std::nullopt;
    return f;
}

}  // namespace

VR_FUZZ_UNTRACED void vr_fuzz_records(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    static const memory_files files;
    refill(files.in, input);
    vr_fuzz_require(files.out >= 0 && ::lseek(files.out, 0, SEEK_SET) == 0);
    {
        vr::record_writer out(files.out);
        vr::record_loop_options options;
        options.max_line = max_line;
        vr::for_each_record(
            files.in, out,
            [](vr::json&& record, vr::record_writer& w) {
                if (record.contains("throw")) throw vr::record_error("asked to fail");
                w.write(record);
            },
            options);
    }
    static std::string output;  // kept: its buffer serves every input
    written(files.out, output);
    vr_fuzz_require(output.empty() || output.back() == '\n');

    // Each input line: nothing when blank, else exactly one record, in order.
    std::string_view in_rest = input, out_rest = output;
    for (std::size_t number = 1; !in_rest.empty(); ++number) {
        std::string_view line = next_line(in_rest);
        bool too_long = line.size() > max_line;
        // The loop drops a leading byte order mark first.
        const std::string_view body = !too_long && line.starts_with("\xEF\xBB\xBF") ? line.substr(3) : line;
        std::size_t start = body.find_first_not_of(" \t\r");
        if (!too_long && start == std::string_view::npos) continue;
        vr_fuzz_require(!out_rest.empty());
        std::string_view out_line = next_line(out_rest);
        // Only a line starting '{' can be an object: the rest need no parse.
        std::optional<record_facts> want;
        if (!too_long && body[start] == '{') want = facts_of(body);
        // A NUL ends nlohmann's input early: such a line is refused.
        bool good = want && want->object && body.find('\0') == std::string_view::npos;
        if (good && (want->failed || want->skipped || !want->throws)) {
            // Passed on unchanged: the very bytes that came in (less a
            // leading byte order mark), and JSON.
            vr_fuzz_require(out_line == body);
            vr_fuzz::output_facts passed;
            vr_fuzz_require(vr_fuzz::json_checker(out_line).read(passed));
            continue;
        }
        vr_fuzz::output_facts got;
        vr_fuzz_require(vr_fuzz::json_checker(out_line).read(got) && got.failed);
        // A bad line's error record carries its line number.
        if (!good) vr_fuzz_require(got.error_object && got.line == number);
    }
    vr_fuzz_require(out_rest.empty());
}
