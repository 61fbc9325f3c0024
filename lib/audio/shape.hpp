// SPDX-License-Identifier: GPL-3.0-or-later
// What render-one does to a render between the plugin and the file: non-finite
// samples zeroed, silence trimmed, a fade-out, and a normalizing gain that
// never pushes the true peak over a ceiling. No JUCE here.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "audio/file.hpp"
#include "audio/loudness.hpp"

namespace vr {

// Replaces every NaN and Inf by 0; returns how many there were.
std::size_t zero_nonfinite(audio_buffer& audio);

// Cuts the frames before the first and after the last frame in which some
// channel reaches threshold_db (dBFS), keeping up to pad_frames of them on
// each side. Audio that never reaches the threshold is left as it is.
void trim_silence(audio_buffer& audio, double threshold_db, std::int64_t pad_frames);

// Fades the last `frames` frames (all of them when there are fewer) to zero
// along a half cosine, so that a cut tail ends without a click.
void fade_out(audio_buffer& audio, std::int64_t frames);

// Multiplies every sample by the gain given in dB.
void apply_gain(audio_buffer& audio, double gain_db);

// --normalize: integrated loudness (LUFS) or sample peak (dBFS) to reach.
struct normalize_target {
    enum class kind { none, lufs, peak };
    kind what = kind::none;
    double level = 0;
};

// Parses "none", "lufs:-16" (-70 to 0) or "peak:-1" (-100 to 0); throws
// record_error saying what is accepted.
normalize_target parse_normalize(std::string_view text);

// The text parse_normalize reads back to the same target.
std::string to_string(const normalize_target& t);

// The gain (dB) that brings audio measured as peak_dbfs and `loudness` to
// the target, lowered as far as needed to keep the true peak at or below
// ceiling_dbtp; 0 for no target, and for a level that is not defined
// (silence, a render too short for integrated loudness).
double normalize_gain_db(const normalize_target& t, double peak_dbfs, const loudness_reading& loudness,
                         double ceiling_dbtp);

}  // namespace vr
