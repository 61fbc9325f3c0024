// SPDX-License-Identifier: GPL-3.0-or-later
#include "audio/loudness.hpp"

#include <ebur128.h>

#include <cmath>

#include "core/error.hpp"
#include "core/handles.hpp"

namespace vr {

namespace {

struct ebur128_closer {
    void operator()(ebur128_state* st) const { ebur128_destroy(&st); }
};

}  // namespace

loudness_reading measure_loudness(const audio_buffer& audio) {
    loudness_reading r;
    if (audio.channels < 1 || audio.sample_rate <= 0)
        throw record_error("cannot measure loudness: the audio has no sample rate or no channels");
    unique_handle<ebur128_state, ebur128_closer> st(
        ebur128_init(static_cast<unsigned>(audio.channels), static_cast<unsigned long>(audio.sample_rate),
                     EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK));
    if (!st) throw record_error("cannot measure loudness: libebur128 refused the sample rate or channel count");
    // A mono render is one loudspeaker (weight 1), as ffmpeg's ebur128 takes it.
    if (audio.channels == 1) ebur128_set_channel(st.get(), 0, EBUR128_CENTER);
    if (audio.frames() > 0 && ebur128_add_frames_float(st.get(), audio.samples.data(), audio.frames()) != EBUR128_SUCCESS)
        throw record_error("cannot measure loudness: libebur128 failed to take the samples");
    double lufs = -HUGE_VAL;
    if (ebur128_loudness_global(st.get(), &lufs) == EBUR128_SUCCESS && std::isfinite(lufs)) r.integrated_lufs = lufs;
    double peak = 0.0;
    for (int c = 0; c < audio.channels; ++c) {
        double p = 0.0;
        if (ebur128_true_peak(st.get(), static_cast<unsigned>(c), &p) == EBUR128_SUCCESS && p > peak) peak = p;
    }
    if (peak > 0.0) r.true_peak_dbtp = 20.0 * std::log10(peak);
    return r;
}

}  // namespace vr
