// SPDX-License-Identifier: GPL-3.0-or-later
#include "presets/dx7_sysex.hpp"

#include <cstdio>

#include "core/cursor.hpp"
#include "core/error.hpp"
#include "presets/detect.hpp"

namespace vr {

namespace {

constexpr std::uint8_t sysex_start = 0xF0, sysex_end = 0xF7, yamaha = 0x43;
constexpr std::uint8_t format_voice = 0x00, format_bulk = 0x09;
constexpr std::size_t bulk_data = 4096, voice_data = 155, packed_voice = 128;
// Where a voice's 10-character name lies: in a packed voice of a bulk dump,
// and in the unpacked voice of a single-voice dump.
constexpr std::size_t packed_name_at = 118, voice_name_at = 145, name_bytes = 10;

std::string hex(unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", v);
    return buf;
}

std::string at(std::size_t offset) { return "byte " + std::to_string(offset) + ": "; }

// The six header bytes of the dump at the cursor: true for a bulk dump.
// `first`: the file's first message, which decides whether it is one of ours.
bool read_header(byte_cursor& c, bool first) {
    // `what` is at byte `offset`: in the first message it means the file is
    // no DX7 dump at all; later, a broken file.
    auto refuse = [&](std::size_t offset, const std::string& what) {
        if (first) throw not_a_preset(what + " (byte " + std::to_string(offset) + ")");
        throw format_error(at(offset) + what + " where a DX7 voice dump should start", offset);
    };
    std::size_t start = c.offset();
    std::uint8_t b = c.u8("the SysEx start");
    if (b != sysex_start) refuse(start, hex(b) + ", not a SysEx start (0xf0)");
    b = c.u8("the manufacturer id");
    if (b != yamaha) refuse(start + 1, "MIDI System Exclusive data of manufacturer " + hex(b) + ", not Yamaha (0x43)");
    b = c.u8("the sub-status and channel");
    if ((b & 0xF0) != 0) refuse(start + 2, "a Yamaha parameter or request message, sub-status " + hex(b >> 4));
    b = c.u8("the format");
    if (b != format_bulk && b != format_voice)
        refuse(start + 3, "Yamaha SysEx of format " + hex(b) + ", not DX7 voices (0 or 9)");
    bool bulk = b == format_bulk;
    std::size_t count_at = c.offset();
    unsigned hi = c.u8("the byte count"), lo = c.u8("the byte count");
    unsigned count = hi << 7 | lo;
    unsigned want = bulk ? bulk_data : voice_data;
    if (hi > 0x7F || lo > 0x7F || count != want)
        throw format_error(at(count_at) + "byte count " + hex(hi) + " " + hex(lo) + ", not the " +
                               std::to_string(want) + " of a DX7 " +
                               (bulk ? "32-voice dump" : "single-voice dump"),
                           count_at);
    return bulk;
}

}  // namespace

std::uint8_t dx7_checksum(std::span<const std::uint8_t> data) {
    unsigned sum = 0;
    for (std::uint8_t b : data) sum += b;
    return static_cast<std::uint8_t>((0u - sum) & 0x7F);
}

std::string dx7_voice_name(std::span<const std::uint8_t> name) {
    std::string s;
    for (std::uint8_t b : name) s += b >= 0x20 && b < 0x7F ? static_cast<char>(b) : '?';
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}

dx7_file parse_dx7_sysex(std::span<const std::uint8_t> bytes) {
    dx7_file f;
    byte_cursor c(bytes);
    while (!c.at_end()) {
        dx7_dump d;
        d.offset = c.offset();
        d.bulk = read_header(c, f.dumps.empty());
        d.channel = bytes[d.offset + 2];
        std::size_t size = d.bulk ? bulk_data : voice_data;
        const char* what = d.bulk ? "a 32-voice dump" : "a single-voice dump";
        std::size_t data_at = c.offset();
        if (c.remaining() < size + 2)
            throw format_error("truncated at byte " + std::to_string(bytes.size()) + ": " + what +
                                   " starting at byte " + std::to_string(d.offset) + " needs " +
                                   std::to_string(size + 8) + " bytes, the file has " +
                                   std::to_string(bytes.size() - d.offset),
                               bytes.size());
        d.data = c.bytes(size, what);
        for (std::size_t i = 0; i < size; ++i)
            if (d.data[i] > 0x7F)
                throw format_error(at(data_at + i) + hex(d.data[i]) + " in the voice data, whose bytes are 7-bit",
                                   data_at + i);
        std::size_t sum_at = c.offset();
        std::uint8_t sum = c.u8("the checksum");
        if (sum != dx7_checksum(d.data))
            throw format_error(at(sum_at) + "checksum " + hex(sum) + ", but the data's is " +
                                   hex(dx7_checksum(d.data)),
                               sum_at);
        std::size_t end_at = c.offset();
        std::uint8_t end = c.u8("the SysEx end");
        if (end != sysex_end)
            throw format_error(at(end_at) + hex(end) + " where the dump should end (0xf7)", end_at);
        if (d.bulk) {
            for (std::size_t v = 0; v < bulk_data / packed_voice; ++v)
                f.voice_names.push_back(
                    dx7_voice_name(d.data.subspan(v * packed_voice + packed_name_at, name_bytes)));
        } else {
            f.voice_names.push_back(dx7_voice_name(d.data.subspan(voice_name_at, name_bytes)));
        }
        f.dumps.push_back(d);
    }
    if (f.dumps.empty()) throw not_a_preset("an empty file");
    return f;
}

}  // namespace vr
