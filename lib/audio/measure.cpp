// SPDX-License-Identifier: GPL-3.0-or-later
#include "audio/measure.hpp"

#include <cmath>
#include <limits>

namespace vr {

namespace {

double to_dbfs(double amplitude) {
    if (amplitude <= 0.0) return -std::numeric_limits<double>::infinity();
    return 20.0 * std::log10(amplitude);
}

}  // namespace

json db_value(double db) {
    if (!std::isfinite(db)) return nullptr;
    // Dividing (rather than multiplying by 0.01) gives the double nearest to
    // the decimal, which prints as "-3.01" and not "-3.0100000000000002";
    // adding 0.0 turns a rounded -0.0 into 0.0.
    const double scale = std::pow(10.0, record_db_decimals);
    return std::round(db * scale) / scale + 0.0;
}

audio_measures measure_audio(const audio_buffer& audio, double silence_db) {
    double peak = 0.0;
    double sum_squares = 0.0;
    std::size_t finite = 0;
    audio_measures m{};
    for (float s : audio.samples) {
        if (!std::isfinite(s)) {
            ++m.nonfinite_samples;
            continue;
        }
        double a = std::fabs(static_cast<double>(s));
        if (a > 1.0) ++m.clipped_samples;
        if (a > peak) peak = a;
        sum_squares += a * a;
        ++finite;
    }
    m.peak_dbfs = to_dbfs(peak);
    m.rms_dbfs = finite ? to_dbfs(std::sqrt(sum_squares / static_cast<double>(finite)))
                        : -std::numeric_limits<double>::infinity();
    m.silent = m.peak_dbfs < silence_db;
    return m;
}

void put_measures(json& record, const audio_measures& m) {
    record["peak_dbfs"] = db_value(m.peak_dbfs);
    record["rms_dbfs"] = db_value(m.rms_dbfs);
    record["clipped_samples"] = m.clipped_samples;
    record["nonfinite_samples"] = m.nonfinite_samples;
    record["silent"] = m.silent;
}

}  // namespace vr
