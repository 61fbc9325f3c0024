// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <vector>

#include "audio/file.hpp"

namespace vr {

// An RGB picture, 3 bytes per pixel, rows top to bottom.
struct rgb_image {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;
};

// The waveform of the audio (all channels mixed to their per-column extremes),
// width x height pixels; silence draws a flat centre line.
rgb_image draw_waveform(const audio_buffer& audio, int width, int height);

// A spectrogram of the audio's mono mix drawn with FFTW: time left to right,
// frequency (0 to Nyquist) bottom to top, level -120..0 dBFS as colour.
rgb_image draw_spectrogram(const audio_buffer& audio, int width, int height);

}  // namespace vr
