// SPDX-License-Identifier: GPL-3.0-or-later
#include "presets/fxp.hpp"

#include <bit>
#include <cmath>
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <limits>

#include "core/cursor.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "presets/detect.hpp"

namespace vr {

namespace {

constexpr std::size_t name_size = 28;
constexpr std::size_t bank_reserved_size = 128;  // currentProgram + 124, or 128 reserved
constexpr std::size_t program_header_size = 56;  // an FxCk program with no parameters

std::string quoted(std::string_view four) { return "'" + printable_excerpt(four, 16) + "'"; }

[[noreturn]] void fail_at(std::size_t offset, const std::string& message) {
    throw format_error(message, offset);
}

// A count or size field that must not be negative.
std::int32_t non_negative(byte_cursor& in, const char* what) {
    std::size_t at = in.offset();
    std::int32_t v = in.i32be(what);
    if (v < 0) fail_at(at, std::string("negative ") + what + " " + std::to_string(v) + " at byte " +
                               std::to_string(at));
    return v;
}

void expect_ccnk(byte_cursor& in) {
    std::size_t at = in.offset();
    auto magic = in.chars(std::min<std::size_t>(4, in.remaining()), "chunkMagic");
    if (magic != "CcnK")
        fail_at(at, "not an fxp/fxb: expected 'CcnK' at byte " + std::to_string(at) + ", found " +
                        quoted(magic));
}

std::string read_name(byte_cursor& in) {
    auto raw = in.chars(name_size, "program name");
    return std::string(raw.substr(0, std::min(raw.find('\0'), raw.size())));
}

std::span<const std::uint8_t> read_chunk(byte_cursor& in, std::size_t& chunk_offset) {
    std::size_t at = in.offset();
    std::int32_t size = non_negative(in, "chunkSize");
    if (static_cast<std::size_t>(size) > in.remaining())
        fail_at(at, "chunkSize " + std::to_string(size) + " at byte " + std::to_string(at) +
                        " is past the end: only " + std::to_string(in.remaining()) +
                        " bytes follow (truncated file?)");
    chunk_offset = in.offset();
    return in.bytes(static_cast<std::size_t>(size), "chunk");
}

// The fields a program and a bank share after fxMagic: version, fxID,
// fxVersion, then a count (numParams or numPrograms) into count. Returns
// where the count stands, for the messages about it.
template <class Header>  // fx_program or fx_bank
std::size_t read_header(byte_cursor& in, Header& into, std::int32_t& count, const char* count_name) {
    into.version = in.i32be("version");
    into.fx_id = in.u32be("fxID");
    into.fx_version = in.i32be("fxVersion");
    std::size_t count_at = in.offset();
    count = non_negative(in, count_name);
    return count_at;
}

// The body of a program from its version field on (chunkMagic, byteSize and
// fxMagic already read).
void read_program_body(byte_cursor& in, fx_program& p) {
    std::size_t count_at = read_header(in, p, p.num_params, "numParams");
    p.name = read_name(in);
    if (p.opaque) {
        p.chunk = read_chunk(in, p.chunk_offset);
        return;
    }
    std::size_t need = static_cast<std::size_t>(p.num_params) * 4;
    if (need > in.remaining())
        fail_at(count_at, "numParams " + std::to_string(p.num_params) + " at byte " +
                              std::to_string(count_at) + " needs " + std::to_string(need) +
                              " bytes of values from byte " + std::to_string(in.offset()) +
                              ", only " + std::to_string(in.remaining()) + " left (truncated file?)");
    p.params.reserve(static_cast<std::size_t>(p.num_params));
    for (std::int32_t i = 0; i < p.num_params; ++i) {
        std::size_t at = in.offset();
        float v = in.f32be("parameter value");
        if (!std::isfinite(v))
            fail_at(at, "parameter " + std::to_string(i) + " at byte " + std::to_string(at) +
                            " is not a finite number");
        p.params.push_back(v);
    }
}

// One 'FxCk' program inside an 'FxBk' bank.
fx_program read_bank_program(byte_cursor& in, std::int32_t index) {
    fx_program p;
    p.offset = in.offset();
    expect_ccnk(in);
    in.u32be("byteSize");
    std::size_t at = in.offset();
    auto magic = in.chars(4, "fxMagic");
    if (magic != "FxCk")
        fail_at(at, "program " + std::to_string(index) + " of the bank: expected 'FxCk' at byte " +
                        std::to_string(at) + ", found " + quoted(magic));
    read_program_body(in, p);
    return p;
}

void read_bank_body(byte_cursor& in, fx_bank& b) {
    std::size_t count_at = read_header(in, b, b.num_programs, "numPrograms");
    auto reserved = in.sub(bank_reserved_size, "bank header");
    if (b.version >= 2) {
        std::int32_t current = reserved.i32be("currentProgram");
        if (current >= 0 && current < b.num_programs) b.current_program = current;
    }
    if (b.opaque) {
        if (b.num_programs > max_opaque_bank_programs)
            fail_at(count_at, "numPrograms " + std::to_string(b.num_programs) + " at byte " +
                                  std::to_string(count_at) + " is absurd (over " +
                                  std::to_string(max_opaque_bank_programs) + ")");
        b.chunk = read_chunk(in, b.chunk_offset);
        return;
    }
    std::size_t need = static_cast<std::size_t>(b.num_programs) * program_header_size;
    if (need > in.remaining())
        fail_at(count_at, "numPrograms " + std::to_string(b.num_programs) + " at byte " +
                              std::to_string(count_at) + " cannot fit: that many programs need at least " +
                              std::to_string(need) + " bytes from byte " + std::to_string(in.offset()) +
                              ", only " + std::to_string(in.remaining()) + " left (truncated file?)");
    b.programs.reserve(static_cast<std::size_t>(b.num_programs));
    for (std::int32_t i = 0; i < b.num_programs; ++i) b.programs.push_back(read_bank_program(in, i));
}

// Windows-1252's characters at 0x80-0x9F (0 where it has none: those map as Latin-1).
constexpr char16_t cp1252_high[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178};

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

class byte_writer {
public:
    void u32be(std::uint32_t v) {
        for (int s = 24; s >= 0; s -= 8) out_.push_back(static_cast<std::uint8_t>(v >> s));
    }
    void i32be(std::int32_t v) { u32be(static_cast<std::uint32_t>(v)); }
    void chars(std::string_view s) { out_.insert(out_.end(), s.begin(), s.end()); }
    void bytes(std::span<const std::uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
    void zeros(std::size_t n) { out_.insert(out_.end(), n, 0); }
    void f32be(float v) { u32be(std::bit_cast<std::uint32_t>(v)); }
    std::size_t size() const { return out_.size(); }
    // Patches the big-endian word at offset.
    void put_u32be_at(std::size_t at, std::uint32_t v) {
        for (int i = 0; i < 4; ++i) out_[at + i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
    }
    std::vector<std::uint8_t> take() { return std::move(out_); }

private:
    std::vector<std::uint8_t> out_;
};

std::int32_t checked_count(std::size_t n, const char* what) {
    if (n > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
        throw format_error(std::string(what) + " " + std::to_string(n) + " is too large for the format", 0);
    return static_cast<std::int32_t>(n);
}

void write_name(byte_writer& w, const std::string& name) {
    if (name.size() > name_size)
        throw format_error("program name '" + printable_excerpt(name) + "' is " +
                               std::to_string(name.size()) + " bytes, over the 28 the format holds",
                           0);
    if (name.find('\0') != std::string::npos)
        throw format_error("program name holds a NUL byte", 0);
    w.chars(name);
    w.zeros(name_size - name.size());
}

// The start a program and a bank share, up to their count: 'CcnK', a
// byteSize of 0 for the caller to patch, fxMagic, version, fxID, fxVersion.
template <class Header>  // fx_program or fx_bank
void write_header(byte_writer& w, const char* magic, const Header& h) {
    w.chars("CcnK");
    w.u32be(0);
    w.chars(magic);
    w.i32be(h.version);
    w.u32be(h.fx_id);
    w.i32be(h.fx_version);
}

// A whole program, 'CcnK' header included; byteSize is patched afterwards.
void write_program(byte_writer& w, const fx_program& p) {
    std::size_t start = w.size();
    write_header(w, p.opaque ? "FPCh" : "FxCk", p);
    if (p.opaque) {
        w.i32be(p.num_params);
        write_name(w, p.name);
        w.i32be(checked_count(p.chunk.size(), "chunk size"));
        w.bytes(p.chunk);
    } else {
        w.i32be(checked_count(p.params.size(), "parameter count"));
        write_name(w, p.name);
        for (float v : p.params) {
            if (!std::isfinite(v)) throw format_error("a parameter value is not a finite number", 0);
            w.f32be(v);
        }
    }
    w.put_u32be_at(start + 4, static_cast<std::uint32_t>(w.size() - start - 8));
}

}  // namespace

const char* fx_magic(fx_kind kind) {
    switch (kind) {
        case fx_kind::params_preset: return "FxCk";
        case fx_kind::chunk_preset: return "FPCh";
        case fx_kind::params_bank: return "FxBk";
        case fx_kind::chunk_bank: return "FBCh";
    }
    return "?";
}

const char* fx_format(fx_kind kind) {
    return kind == fx_kind::params_bank || kind == fx_kind::chunk_bank ? "fxb" : "fxp";
}

std::string fx_id_text(std::uint32_t id) {
    std::string s;
    for (int shift = 24; shift >= 0; shift -= 8) {
        auto c = static_cast<unsigned char>(id >> shift);
        if (c < 0x20 || c > 0x7E) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "0x%08X", static_cast<unsigned>(id));
            return buf;
        }
        s += static_cast<char>(c);
    }
    return s;
}

std::uint32_t fx_id_from(std::string_view four_chars) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i)
        v = (v << 8) | (i < four_chars.size() ? static_cast<unsigned char>(four_chars[i]) : 0u);
    return v;
}

std::string fx_name_utf8(std::string_view raw) {
    if (valid_utf8(raw)) return std::string(raw);
    // A UTF-8 name that filled the field may end in a character the 28-byte
    // limit cut: keep the UTF-8 and drop the broken character.
    if (raw.size() == name_size) {
        for (std::size_t k = 1; k <= 3; ++k) {
            auto lead = static_cast<unsigned char>(raw[raw.size() - k]);
            std::size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
            bool rest_continues = true;
            for (std::size_t i = raw.size() - k + 1; i < raw.size(); ++i)
                rest_continues &= (static_cast<unsigned char>(raw[i]) & 0xC0) == 0x80;
            if (want > k && rest_continues && valid_utf8(raw.substr(0, raw.size() - k)))
                return std::string(raw.substr(0, raw.size() - k));
        }
    }
    std::string out;
    for (char ch : raw) {
        auto c = static_cast<unsigned char>(ch);
        char32_t cp = c;
        if (c >= 0x80 && c < 0xA0 && cp1252_high[c - 0x80] != 0) cp = cp1252_high[c - 0x80];
        append_utf8(out, cp);
    }
    return out;
}

fx_file parse_fx(std::span<const std::uint8_t> bytes) {
    byte_cursor in(bytes);
    fx_file f;
    if (sniff_preset(bytes) != preset_kind::fx)
        fail_at(0, describe_content(bytes.first(std::min(bytes.size(), sniff_size))) +
                       ", not an fxp/fxb preset (no 'CcnK' at byte 0)");
    expect_ccnk(in);
    f.byte_size_field = in.u32be("byteSize");
    std::size_t at = in.offset();
    auto magic = in.chars(4, "fxMagic");
    if (magic == "FxCk" || magic == "FPCh") {
        f.kind = magic == "FxCk" ? fx_kind::params_preset : fx_kind::chunk_preset;
        f.program.opaque = magic == "FPCh";
        read_program_body(in, f.program);
    } else if (magic == "FxBk" || magic == "FBCh") {
        f.kind = magic == "FxBk" ? fx_kind::params_bank : fx_kind::chunk_bank;
        f.bank.opaque = magic == "FBCh";
        read_bank_body(in, f.bank);
    } else {
        fail_at(at, "unknown fxMagic " + quoted(magic) + " at byte " + std::to_string(at) +
                        " (expected 'FxCk', 'FPCh', 'FxBk' or 'FBCh')");
    }
    f.trailing_bytes = in.remaining();
    return f;
}

std::vector<std::uint8_t> write_fxp(const fx_program& program) {
    byte_writer w;
    write_program(w, program);
    return w.take();
}

std::vector<std::uint8_t> write_fxb(const fx_bank& bank) {
    byte_writer w;
    write_header(w, bank.opaque ? "FBCh" : "FxBk", bank);
    std::int32_t count =
        bank.opaque ? bank.num_programs : checked_count(bank.programs.size(), "program count");
    if (count < 0) throw format_error("negative program count", 0);
    w.i32be(count);
    std::size_t reserved = bank_reserved_size;
    if (bank.version >= 2) {
        w.i32be(bank.current_program.value_or(0));
        reserved -= 4;
    }
    w.zeros(reserved);
    if (bank.opaque) {
        w.i32be(checked_count(bank.chunk.size(), "chunk size"));
        w.bytes(bank.chunk);
    } else {
        for (const auto& p : bank.programs) {
            if (p.opaque) throw format_error("a parameter bank ('FxBk') cannot hold an opaque program", 0);
            write_program(w, p);
        }
    }
    w.put_u32be_at(4, static_cast<std::uint32_t>(w.size() - 8));
    return w.take();
}

}  // namespace vr
