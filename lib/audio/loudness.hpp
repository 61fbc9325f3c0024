// SPDX-License-Identifier: GPL-3.0-or-later
// Loudness of a render as EBU R128 / ITU-R BS.1770 defines it, measured by
// libebur128 (Debian's), so that the numbers agree with other meters.
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

}  // namespace vr
