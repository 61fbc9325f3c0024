// SPDX-License-Identifier: GPL-3.0-or-later
// Yamaha DX7 voice dumps in MIDI System Exclusive files (.syx): 32-voice
// bulk dumps (a cartridge), single-voice dumps, and files holding several.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace vr {

// One dump of a file: a message F0 43 0n ff bb bb <data> <checksum> F7.
struct dx7_dump {
    bool bulk = false;         // format 9: 32 packed voices of 128 bytes; else format 0: one voice of 155
    std::uint8_t channel = 0;  // the n of 0n, 0..15
    std::size_t offset = 0;    // where its F0 is in the file
    std::span<const std::uint8_t> data;  // 4,096 or 155 bytes (a view into the input)
};

// A file of DX7 voice dumps, in file order.
struct dx7_file {
    std::vector<dx7_dump> dumps;
    std::vector<std::string> voice_names;  // one per voice of every dump, in order
};

// The sizes of the two dumps, whole: header, data, checksum and F7.
inline constexpr std::size_t dx7_bulk_bytes = 4104;
inline constexpr std::size_t dx7_voice_bytes = 163;

// Parses a whole .syx file: one or more DX7 voice dumps back to back, each
// checked (header, byte count, 7-bit data, checksum, F7). Throws not_a_preset
// when the file does not start as a DX7 voice dump (not SysEx, another
// maker's SysEx, another Yamaha message), and format_error naming the byte
// for anything broken after that: a truncated dump, a bad checksum, a later
// message that is not a DX7 voice dump.
dx7_file parse_dx7_sysex(std::span<const std::uint8_t> bytes);

// The checksum of a dump's data: the low 7 bits of the two's complement of
// the bytes' sum.
std::uint8_t dx7_checksum(std::span<const std::uint8_t> data);

// A voice name (10 bytes) as UTF-8 text: printable ASCII kept, any other
// byte as '?', trailing spaces dropped.
std::string dx7_voice_name(std::span<const std::uint8_t> name);

}  // namespace vr
