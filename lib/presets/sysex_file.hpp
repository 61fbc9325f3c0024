// SPDX-License-Identifier: GPL-3.0-or-later
// MIDI System Exclusive files (.syx): one or more messages, each F0, data
// bytes, F7, back to back, as synths dump them and librarians keep them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace vr {

// The most a SysEx file may hold: a DX7 cartridge is 4,104 bytes, a
// sample dump can be megabytes.
inline constexpr std::size_t sysex_max_file_bytes = std::size_t{16} << 20;

// Each message of a .syx file, F0 to F7, in file order. Throws
// format_error naming the byte for an empty file, a byte outside a message
// that is not F0, a status byte inside one (data bytes are 7-bit) and a
// last message that lacks its F7.
std::vector<std::vector<std::uint8_t>> parse_sysex_file(std::span<const std::uint8_t> bytes);

}  // namespace vr
