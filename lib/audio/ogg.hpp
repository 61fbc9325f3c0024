// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <span>
#include <string>

namespace vr {

// Rewrites the stream serial number of every page of a single-stream Ogg file
// in place and recomputes each page's CRC, so that the same audio gives the
// same bytes (libsndfile picks a serial from the clock). Throws format_error
// naming `path` when the bytes are not a sequence of whole Ogg pages of one
// stream.
void set_ogg_serial(std::span<std::uint8_t> file, std::uint32_t serial, const std::string& path);

// The CRC-32 Ogg puts in its page headers (polynomial 0x04c11db7, no
// reflection, initial value and final xor 0), over bytes.
std::uint32_t ogg_crc(std::span<const std::uint8_t> bytes);

}  // namespace vr
