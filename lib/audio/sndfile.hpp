// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "audio/file.hpp"

namespace vr {

// The whole file libsndfile writes for the buffer in `container` (not npy),
// built in memory: PEAK chunk off (it holds a timestamp), clipping on (PCM
// saturates instead of wrapping), Vorbis at a fixed quality, FLAC at
// flac_level (0-8; ignored by the other formats). NaN becomes 0 and +-Inf +-1
// in PCM and Vorbis, which cannot hold them. Throws record_error naming
// `path` when libsndfile refuses (e.g. a sample rate the format cannot store)
// or flac_level is out of range.
std::vector<std::uint8_t> sndfile_encode(const audio_buffer& audio, audio_container container,
                                         sample_format fmt, const std::string& path,
                                         int flac_level = default_flac_level);

// Decodes a file image in any format libsndfile reads; throws record_error
// naming `path` when it cannot, or when the audio holds more than
// max_samples samples.
audio_buffer sndfile_decode(std::span<const std::uint8_t> bytes, const std::string& path,
                            std::size_t max_samples);

// The Vorbis quality we encode Ogg files at, on libsndfile's 0..1 scale
// (0.6 is about 190 kbit/s for stereo at 44.1/48 kHz: previews that sound
// like the render, at a sixth of the size of 16-bit PCM).
inline constexpr double vorbis_quality = 0.6;

}  // namespace vr
