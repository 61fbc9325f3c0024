// SPDX-License-Identifier: GPL-3.0-or-later
#include "audio/loudness.hpp"

#include <ebur128.h>

#include <cmath>

#include "audio/integrated_loudness.hpp"
#include "audio/true_peak.hpp"
#include "core/error.hpp"
#include "core/handles.hpp"

namespace vr {

namespace {

struct ebur128_closer {
    void operator()(ebur128_state* st) const { ebur128_destroy(&st); }
};

using ebur128_handle = unique_handle<ebur128_state, ebur128_closer>;

// libebur128's own limits (VALIDATE_CHANNELS_AND_SAMPLERATE), which our
// meters keep so that a buffer fails or passes as it did with libebur128.
constexpr int max_channels = 64;
constexpr int min_rate = 16;
constexpr int max_rate = 2822400;

void check_measurable(const audio_buffer& audio) {
    if (audio.channels < 1 || audio.sample_rate <= 0)
        throw record_error("cannot measure loudness: the audio has no sample rate or no channels");
    if (audio.channels > max_channels || audio.sample_rate < min_rate || audio.sample_rate > max_rate)
        throw record_error("cannot measure loudness: libebur128 refused the sample rate or channel count");
}

// A libebur128 state in `mode` that has taken every frame of audio.
ebur128_handle measured(const audio_buffer& audio, int mode) {
    check_measurable(audio);
    ebur128_handle st(
        ebur128_init(static_cast<unsigned>(audio.channels), static_cast<unsigned long>(audio.sample_rate), mode));
    if (!st) throw record_error("cannot measure loudness: libebur128 refused the sample rate or channel count");
    // A mono render is one loudspeaker (weight 1), as ffmpeg's ebur128 takes it.
    if (audio.channels == 1) ebur128_set_channel(st.get(), 0, EBUR128_CENTER);
    if (audio.frames() > 0 && ebur128_add_frames_float(st.get(), audio.samples.data(), audio.frames()) != EBUR128_SUCCESS)
        throw record_error("cannot measure loudness: libebur128 failed to take the samples");
    return st;
}

}  // namespace

loudness_reading measure_loudness(const audio_buffer& audio) {
    check_measurable(audio);
    loudness_reading r;
    // Both figures are ours: libebur128's to the bit, without its state (a
    // 400 ms buffer zeroed per call: a page fault per page in a forked
    // child) and at a fraction of its cost.
    const double lufs = integrated_loudness(audio);
    if (std::isfinite(lufs)) r.integrated_lufs = lufs;
    const double peak = true_peak(audio);
    if (peak > 0.0) r.true_peak_dbtp = 20.0 * std::log10(peak);
    return r;
}

double loudness_by_libebur128(const audio_buffer& audio) {
    auto st = measured(audio, EBUR128_MODE_I);
    double lufs = -HUGE_VAL;
    if (ebur128_loudness_global(st.get(), &lufs) != EBUR128_SUCCESS) return -HUGE_VAL;
    return lufs;
}

double true_peak_by_libebur128(const audio_buffer& audio) {
    auto st = measured(audio, EBUR128_MODE_TRUE_PEAK);
    double peak = 0.0;
    for (int c = 0; c < audio.channels; ++c) {
        double p = 0.0;
        if (ebur128_true_peak(st.get(), static_cast<unsigned>(c), &p) == EBUR128_SUCCESS && p > peak) peak = p;
    }
    return peak;
}

}  // namespace vr
