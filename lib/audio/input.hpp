// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstddef>
#include <string>

#include "audio/file.hpp"

namespace vr {

// A job's input audio, ready for an effect's main input bus.
struct input_audio {
    audio_buffer audio;        // at the requested rate, with the bus's channels
    std::string sha256;        // of the file's bytes, exactly as read
    double duration_s = 0;     // of the file at its own rate (frames / source_rate_hz)
    int source_rate_hz = 0;    // the file's rate; 0 for .npy, which carries none
    int source_channels = 0;   // the file's channel count
    bool resampled = false;    // converted from source_rate_hz to the requested rate
};

// Sample rates an input file (and the requested rate) may have.
inline constexpr int min_input_rate_hz = 8000;
inline constexpr int max_input_rate_hz = 384000;

// The largest input file read, in bytes (an hour of 8-channel float at
// 48 kHz is 5.5 GB: beyond this, a job fails rather than the machine).
inline constexpr std::size_t max_input_bytes = std::size_t{2} << 30;

// Loads `path` for an effect's input bus of bus_channels at sample_rate Hz
// (bus names it in messages: "input", "sidechain").
//
// The file is read once: its bytes are hashed and the same bytes decoded, so
// sha256 and audio always describe one file. Any format libsndfile reads, and
// .npy as render-one writes it (float32 or float64, frames x channels), whose
// rate is taken to be sample_rate. A file at another rate is converted with
// libsoxr (very high quality, single-threaded so the result is repeatable)
// to exactly round(frames x sample_rate / source rate) frames, its last
// samples included.
//
// Channels (M in the file, N on the bus):
//   M == N            passed unchanged;
//   M < N             the file's channels to the bus's first M, a mono file
//                     to both of the first two (a stereo pair), the rest
//                     silent (a VST2 effect's inputs are one bus: main and
//                     side chain);
//   M > N, downmix    file channel j (counting from 0) goes to bus channel
//                     j mod N, and each bus channel is the mean of the file
//                     channels it gets: to mono, the mean of all channels;
//                     to stereo, channels 0, 2, 4, ... averaged into left and
//                     1, 3, 5, ... into right (5.1 as L R C LFE Ls Rs gives
//                     left = (L + C + Ls) / 3, right = (R + LFE + Rs) / 3);
//   M > N             otherwise an error.
// Downmixing happens before resampling and copying mono after it, so the
// resampler works on no more channels than it must.
//
// Throws record_error naming the path and the reason for: a missing or
// unreadable file, a directory or other non-file, a file over
// max_input_bytes, one that is empty, not audio, truncated (its RIFF/AIFF
// size or FLAC sample count says more than is there) or corrupt, one with
// no frames, a NaN or infinite sample, one longer than max_seconds, a rate
// outside min_input_rate_hz..max_input_rate_hz, and channels as above.
// sample_rate outside that range or bus_channels < 1 is a record_error too.
input_audio load_input(const std::string& path, int sample_rate, int bus_channels, bool downmix,
                       double max_seconds, const char* bus = "input");

// `audio` converted to to_rate Hz with libsoxr at very high quality, the
// whole signal: round(frames x to_rate / audio.sample_rate) frames. Rates
// must be positive; throws record_error naming `path` when libsoxr fails.
audio_buffer resample(const audio_buffer& audio, int to_rate, const std::string& path);

// Audio given to a bus of bus_channels by the rules above, more channels
// always mixed down: how a chain hands one stage's output to the next.
audio_buffer fit_to_bus(const audio_buffer& audio, int bus_channels);

}  // namespace vr
