// SPDX-License-Identifier: GPL-3.0-or-later
// Loudness of a render as EBU R128 / ITU-R BS.1770 defines it: integrated
// loudness measured by libebur128 (Debian's), true peak by our own meter
// (audio/true_peak.hpp), which gives libebur128's figure at a tenth of its
// cost or less, so that the numbers agree with other meters.
#pragma once
#include <optional>

#include "audio/file.hpp"

namespace vr {

struct loudness_reading {
    std::optional<double> integrated_lufs;  // none for silence or audio shorter than one 400 ms block
    std::optional<double> true_peak_dbtp;   // none for digital silence
};

// Measures integrated loudness and true peak (over all channels) of finite
// samples at audio.sample_rate; throws record_error when libebur128 refuses
// the buffer (no sample rate, more channels than it takes).
loudness_reading measure_loudness(const audio_buffer& audio);

// The true peak as libebur128 itself measures it (EBUR128_MODE_TRUE_PEAK,
// the largest over channels of ebur128_true_peak), linear: the reference
// that tests and `make bench` hold true_peak to. Slow; throws record_error
// as measure_loudness does.
double true_peak_by_libebur128(const audio_buffer& audio);

}  // namespace vr
