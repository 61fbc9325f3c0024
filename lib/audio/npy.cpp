// SPDX-License-Identifier: GPL-3.0-or-later
#include "audio/npy.hpp"

#include <bit>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>

#include "core/cursor.hpp"
#include "core/error.hpp"

namespace vr {

namespace {

constexpr std::string_view magic = "\x93NUMPY";
// numpy aligns the start of the data to this many bytes (its ARRAY_ALIGN).
constexpr std::size_t data_alignment = 64;
// A cap on channels read back: far above anything rendered, low enough that
// a hostile shape cannot make frames * channels meaningless.
constexpr std::uint64_t max_channels = 1024;

// What the header dictionary says, as far as we need it.
struct npy_header {
    std::string descr;
    std::optional<bool> fortran_order;
    std::optional<std::vector<std::uint64_t>> shape;
};

// Parses numpy's header: a Python dict literal of strings, booleans and a
// tuple of integers, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }
class header_parser {
public:
    header_parser(byte_cursor c, const std::string& path) : c_(c), path_(path) {}

    npy_header parse() {
        npy_header h;
        bool have_descr = false;
        spaces();
        expect('{', "'{' opening the header dictionary");
        for (;;) {
            spaces();
            if (peek() == '}') break;
            std::size_t key_at = c_.offset();
            std::string key = string_literal();
            spaces();
            expect(':', "':' after a key");
            spaces();
            if (key == "descr") {
                h.descr = string_literal();
                have_descr = true;
            } else if (key == "fortran_order") {
                h.fortran_order = boolean();
            } else if (key == "shape") {
                h.shape = tuple();
            } else {
                fail_at(key_at, "unexpected key '" + key + "' in the header");
            }
            spaces();
            if (peek() == ',') c_.u8("','");
        }
        c_.u8("'}'");
        // numpy pads with spaces and ends the header with '\n'; be lenient
        // about which whitespace, strict about anything else.
        while (!c_.at_end()) {
            char ch = static_cast<char>(c_.u8("padding"));
            if (ch != ' ' && ch != '\n' && ch != '\t' && ch != '\r' && ch != '\0')
                fail_at(c_.offset() - 1, "unexpected text after the header dictionary");
        }
        if (!have_descr) fail_at(c_.offset(), "the header has no 'descr'");
        if (!h.fortran_order) fail_at(c_.offset(), "the header has no 'fortran_order'");
        if (!h.shape) fail_at(c_.offset(), "the header has no 'shape'");
        return h;
    }

private:
    char peek() {
        c_.need(1, "the header dictionary");
        return static_cast<char>(c_.rest()[0]);
    }
    void spaces() {
        while (!c_.at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n')) c_.u8("space");
    }
    void expect(char ch, const char* what) {
        std::size_t at = c_.offset();
        if (static_cast<char>(c_.u8(what)) != ch) fail_at(at, std::string("expected ") + what);
    }
    std::string string_literal() {
        std::size_t at = c_.offset();
        char quote = static_cast<char>(c_.u8("a string"));
        if (quote != '\'' && quote != '"') fail_at(at, "expected a quoted string");
        std::string s;
        for (;;) {
            char ch = static_cast<char>(c_.u8("the rest of a string"));
            if (ch == quote) return s;
            if (ch == '\\') fail_at(c_.offset() - 1, "escapes in header strings are not supported");
            s += ch;
        }
    }
    bool boolean() {
        std::size_t at = c_.offset();
        auto word = [&](std::string_view w) {
            if (c_.remaining() < w.size()) return false;
            auto r = c_.rest();
            return std::memcmp(r.data(), w.data(), w.size()) == 0;
        };
        if (word("True")) return c_.skip(4, "True"), true;
        if (word("False")) return c_.skip(5, "False"), false;
        fail_at(at, "expected True or False");
    }
    std::vector<std::uint64_t> tuple() {
        expect('(', "'(' opening the shape");
        std::vector<std::uint64_t> dims;
        for (;;) {
            spaces();
            if (peek() == ')') break;
            std::size_t at = c_.offset();
            std::uint64_t v = 0;
            bool digits = false;
            while (peek() >= '0' && peek() <= '9') {
                int d = c_.u8("digit") - '0';
                if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10)
                    fail_at(at, "a dimension of the shape is too large");
                v = v * 10 + static_cast<std::uint64_t>(d);
                digits = true;
            }
            if (!digits) fail_at(at, "expected a non-negative integer in the shape");
            if (peek() == 'L') c_.u8("L");  // written by Python 2
            dims.push_back(v);
            spaces();
            if (peek() == ',')
                c_.u8("','");
            else if (peek() != ')')
                fail_at(c_.offset(), "expected ',' or ')' in the shape");
        }
        c_.u8("')'");
        return dims;
    }
    [[noreturn]] void fail_at(std::size_t at, const std::string& message) {
        throw format_error(path_ + ": byte " + std::to_string(at) + ": " + message, at);
    }

    byte_cursor c_;
    const std::string& path_;
};

}  // namespace

bool is_npy(std::span<const std::uint8_t> bytes) {
    return bytes.size() >= magic.size() &&
           std::memcmp(bytes.data(), magic.data(), magic.size()) == 0;
}

std::vector<std::uint8_t> encode_npy(const audio_buffer& audio) {
    std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                       std::to_string(audio.frames()) + ", " + std::to_string(audio.channels) +
                       "), }";
    // magic (6) + version (2) + header length (2), then the dict, padding, '\n'.
    std::size_t unpadded = magic.size() + 4 + dict.size() + 1;
    dict.append((data_alignment - unpadded % data_alignment) % data_alignment, ' ');
    dict += '\n';

    std::string head(magic);
    head += '\x01';  // format version 1.0: a 16-bit header length
    head += '\x00';
    head += static_cast<char>(dict.size() & 0xff);
    head += static_cast<char>(dict.size() >> 8);
    head += dict;

    std::vector<std::uint8_t> out(head.size() + audio.samples.size() * 4);
    std::memcpy(out.data(), head.data(), head.size());
    std::uint8_t* at = out.data() + head.size();
    for (float s : audio.samples) {
        std::uint32_t v = std::bit_cast<std::uint32_t>(s);
        for (int i = 0; i < 4; ++i) *at++ = static_cast<std::uint8_t>(v >> (8 * i));
    }
    return out;
}

audio_buffer decode_npy(std::span<const std::uint8_t> bytes, const std::string& path) {
    auto fail = [&](std::size_t at, const std::string& message) {
        throw format_error(path + ": byte " + std::to_string(at) + ": " + message, at);
    };
    try {
        byte_cursor c(bytes);
        if (c.chars(magic.size(), "the .npy magic") != magic)
            fail(0, "not a .npy file (no \\x93NUMPY magic)");
        std::size_t version_at = c.offset();
        std::uint8_t major = c.u8("major version");
        c.u8("minor version");
        std::size_t header_len = 0;
        if (major == 1)
            header_len = c.u16le("header length");
        else if (major == 2 || major == 3)
            header_len = c.u32le("header length");
        else
            fail(version_at, "format version " + std::to_string(major) + " is not supported");
        std::size_t header_at = c.offset();
        npy_header h = header_parser(c.sub(header_len, "header"), path).parse();

        std::size_t item = 0;
        if (h.descr == "<f4")
            item = 4;
        else if (h.descr == "<f8")
            item = 8;
        else
            fail(header_at, "dtype '" + h.descr + "' is not supported (only '<f4' and '<f8')");
        const auto& shape = *h.shape;
        if (shape.empty() || shape.size() > 2)
            fail(header_at, "shape of " + std::to_string(shape.size()) +
                                " dimensions; audio is (frames,) or (frames, channels)");
        std::uint64_t frames = shape[0];
        std::uint64_t channels = shape.size() == 2 ? shape[1] : 1;
        if (channels < 1 || channels > max_channels)
            fail(header_at, std::to_string(channels) + " channels; expected 1 to " +
                                std::to_string(max_channels));
        // Compare before multiplying, so that a huge shape cannot overflow.
        if (frames > c.remaining() / item / channels)
            fail(c.offset(), "truncated: the shape needs " + std::to_string(frames) + " x " +
                                 std::to_string(channels) + " samples, " +
                                 std::to_string(c.remaining() / item) + " present");
        std::size_t count = static_cast<std::size_t>(frames * channels);
        auto data = c.bytes(count * item, "sample data");
        if (!c.at_end())
            fail(c.offset(), std::to_string(c.remaining()) + " bytes after the sample data");

        audio_buffer out;
        out.channels = static_cast<int>(channels);
        out.sample_rate = 0;
        out.samples.resize(count);
        byte_cursor d(data, header_at + header_len);
        for (std::size_t i = 0; i < count; ++i) {
            // Fortran order stores channel by channel; interleave on the way in.
            std::size_t at = i;
            if (*h.fortran_order) at = (i % frames) * channels + i / frames;
            out.samples[at] = item == 4
                                  ? std::bit_cast<float>(d.u32le("sample"))
                                  : static_cast<float>(std::bit_cast<double>(d.u64le("sample")));
        }
        return out;
    } catch (const format_error& e) {
        std::string msg = e.what();
        if (msg.compare(0, path.size() + 1, path + ":") == 0) throw;
        throw format_error(path + ": " + msg, e.offset);
    }
}

}  // namespace vr
