// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstddef>

#include "audio/file.hpp"
#include "core/records.hpp"

namespace vr {

struct audio_measures {
    double peak_dbfs;               // -inf for digital silence
    double rms_dbfs;                // over all channels and frames; -inf for silence
    std::size_t clipped_samples;    // finite samples with |x| > 1.0 (full scale)
    std::size_t nonfinite_samples;  // NaN or Inf
    bool silent;                    // peak below silence_db
};

// Measures the buffer. NaN and Inf are counted in nonfinite_samples and left
// out of everything else (peak, RMS, clipped). dBFS is relative to a sample
// of magnitude 1.0, so a full-scale sine has peak 0 and RMS -3.01 dBFS. An
// empty buffer measures as silence.
audio_measures measure_audio(const audio_buffer& audio, double silence_db);

// Decimals of the decibel values in records: 0.01 dB, a tenth of the
// smallest level change anyone hears and what level meters show, so that two
// renders that differ only in float rounding give equal records.
inline constexpr int record_db_decimals = 2;

// A level in dB as records hold it: rounded to record_db_decimals, null
// when not finite.
json db_value(double db);

// Adds peak_dbfs and rms_dbfs (rounded to record_db_decimals; null when -inf),
// clipped_samples, nonfinite_samples and silent to record, replacing fields
// of those names.
void put_measures(json& record, const audio_measures& m);

}  // namespace vr
