// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "audio/file.hpp"

namespace vr {

// The buffer as a NumPy .npy file: format version 1.0, dtype '<f4', C order,
// shape (frames, channels) even for mono, the header padded with spaces and
// a final '\n' so that the data starts at a multiple of 64 bytes.
std::vector<std::uint8_t> encode_npy(const audio_buffer& audio);

// True when bytes start with the .npy magic ("\x93NUMPY").
bool is_npy(std::span<const std::uint8_t> bytes);

// Decodes a .npy file of little-endian float32 or float64 samples, shape
// (frames,) or (frames, channels), C or Fortran order, format version 1, 2
// or 3. sample_rate is 0 (a .npy file has none). Throws format_error naming
// `path` and the byte where the file is wrong.
audio_buffer decode_npy(std::span<const std::uint8_t> bytes, const std::string& path);

}  // namespace vr
