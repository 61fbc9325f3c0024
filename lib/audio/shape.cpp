// SPDX-License-Identifier: GPL-3.0-or-later
#include "audio/shape.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numbers>

#include "core/error.hpp"

namespace vr {

std::size_t zero_nonfinite(audio_buffer& audio) {
    std::size_t n = 0;
    for (float& s : audio.samples)
        if (!std::isfinite(s)) {
            s = 0.0f;
            ++n;
        }
    return n;
}

void trim_silence(audio_buffer& audio, double threshold_db, std::int64_t pad_frames) {
    const auto frames = static_cast<std::int64_t>(audio.frames());
    const int ch = audio.channels;
    const double threshold = std::pow(10.0, threshold_db / 20.0);
    auto loud = [&](std::int64_t f) {
        for (int c = 0; c < ch; ++c)
            if (std::fabs(static_cast<double>(audio.samples[static_cast<std::size_t>(f * ch + c)])) >= threshold)
                return true;
        return false;
    };
    std::int64_t first = 0;
    while (first < frames && !loud(first)) ++first;
    if (first == frames) return;
    std::int64_t last = frames - 1;
    while (last > first && !loud(last)) --last;
    pad_frames = std::max<std::int64_t>(0, pad_frames);
    const std::int64_t begin = std::max<std::int64_t>(0, first - pad_frames);
    const std::int64_t end = std::min(frames, last + 1 + pad_frames);
    audio.samples.erase(audio.samples.begin() + static_cast<std::ptrdiff_t>(end * ch), audio.samples.end());
    audio.samples.erase(audio.samples.begin(), audio.samples.begin() + static_cast<std::ptrdiff_t>(begin * ch));
}

void fade_out(audio_buffer& audio, std::int64_t frames) {
    const auto total = static_cast<std::int64_t>(audio.frames());
    const std::int64_t n = std::clamp<std::int64_t>(frames, 0, total);
    const int ch = audio.channels;
    for (std::int64_t i = 0; i < n; ++i) {
        // i counts from the last frame back: 0 is silent, n-1 nearly whole.
        const double x = static_cast<double>(i) / static_cast<double>(n);
        const auto g = static_cast<float>(0.5 - 0.5 * std::cos(std::numbers::pi * x));
        const std::int64_t f = total - 1 - i;
        for (int c = 0; c < ch; ++c) audio.samples[static_cast<std::size_t>(f * ch + c)] *= g;
    }
}

void apply_gain(audio_buffer& audio, double gain_db) {
    if (gain_db == 0.0) return;
    const double g = std::pow(10.0, gain_db / 20.0);
    for (float& s : audio.samples) s = static_cast<float>(s * g);
}

normalize_target parse_normalize(std::string_view text) {
    normalize_target t;
    if (text == "none") return t;
    auto colon = text.find(':');
    std::string_view kind = text.substr(0, colon);
    double level = 0;
    bool number = false;
    if (colon != std::string_view::npos) {
        auto rest = text.substr(colon + 1);
        auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), level);
        number = ec == std::errc() && end == rest.data() + rest.size() && std::isfinite(level);
    }
    if (number && kind == "lufs" && level >= -70 && level <= 0) return {normalize_target::kind::lufs, level};
    if (number && kind == "peak" && level >= -100 && level <= 0) return {normalize_target::kind::peak, level};
    throw record_error("normalize '" + std::string(text) +
                       "' is not understood: give lufs:LEVEL (-70 to 0), peak:LEVEL (dBFS, -100 to 0) or none");
}

std::string to_string(const normalize_target& t) {
    if (t.what == normalize_target::kind::none) return "none";
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, t.level);
    return std::string(t.what == normalize_target::kind::lufs ? "lufs:" : "peak:") + std::string(buf, end);
}

double normalize_gain_db(const normalize_target& t, double peak_dbfs, const loudness_reading& loudness,
                         double ceiling_dbtp) {
    double gain = 0;
    switch (t.what) {
        case normalize_target::kind::none: return 0;
        case normalize_target::kind::lufs:
            if (!loudness.integrated_lufs) return 0;
            gain = t.level - *loudness.integrated_lufs;
            break;
        case normalize_target::kind::peak:
            if (!std::isfinite(peak_dbfs)) return 0;
            gain = t.level - peak_dbfs;
            break;
    }
    if (loudness.true_peak_dbtp && *loudness.true_peak_dbtp + gain > ceiling_dbtp)
        gain = ceiling_dbtp - *loudness.true_peak_dbtp;
    return gain;
}

}  // namespace vr
