// SPDX-License-Identifier: GPL-3.0-or-later
// Loudness of a render as EBU R128 / ITU-R BS.1770 defines it, by our own
// meters (audio/integrated_loudness.hpp, audio/true_peak.hpp), which give
// libebur128's figures bit for bit at a fraction of its cost, so that the
// numbers agree with other meters. libebur128 itself stays as the reference
// that tests and `make bench` hold them to.
#pragma once
#include <optional>

#include "audio/file.hpp"

namespace vr {

struct loudness_reading {
    std::optional<double> integrated_lufs;  // none for silence or audio shorter than one 400 ms block
    std::optional<double> true_peak_dbtp;   // none for digital silence
};

// Measures integrated loudness and true peak (over all channels) of finite
// samples at audio.sample_rate; throws record_error for a buffer libebur128
// refuses (a rate outside 16 Hz to 2.8224 MHz, no channels or over 64).
loudness_reading measure_loudness(const audio_buffer& audio);

// The integrated loudness as libebur128 itself measures it
// (EBUR128_MODE_I, mono set to EBUR128_CENTER, ebur128_loudness_global):
// -infinity where it has none. The reference for integrated_loudness;
// throws record_error as measure_loudness does.
double loudness_by_libebur128(const audio_buffer& audio);

// The true peak as libebur128 itself measures it (EBUR128_MODE_TRUE_PEAK,
// the largest over channels of ebur128_true_peak), linear: the reference
// that tests and `make bench` hold true_peak to. Slow; throws record_error
// as measure_loudness does.
double true_peak_by_libebur128(const audio_buffer& audio);

}  // namespace vr
