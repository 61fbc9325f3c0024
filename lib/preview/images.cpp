// SPDX-License-Identifier: GPL-3.0-or-later
#include "preview/images.hpp"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numbers>
#include <string>

#include "core/error.hpp"

namespace vr {

namespace {

struct fftwf_freer {
    void operator()(float* p) const noexcept { fftwf_free(p); }
};
struct fftwf_complex_freer {
    void operator()(fftwf_complex* p) const noexcept { fftwf_free(p); }
};
struct fftwf_plan_destroyer {
    void operator()(fftwf_plan_s* p) const noexcept { fftwf_destroy_plan(p); }
};

void put(rgb_image& img, int x, int y, const std::uint8_t rgb[3]) {
    auto* p = &img.pixels[(static_cast<std::size_t>(y) * img.width + x) * 3];
    p[0] = rgb[0];
    p[1] = rgb[1];
    p[2] = rgb[2];
}

rgb_image blank(int width, int height, const std::uint8_t rgb[3]) {
    if (width < 1 || height < 1 || width > 8192 || height > 8192)
        throw record_error("image size " + std::to_string(width) + "x" + std::to_string(height) +
                           " is out of range (1-8192)");
    rgb_image img{width, height, std::vector<std::uint8_t>(static_cast<std::size_t>(width) * height * 3)};
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) put(img, x, y, rgb);
    return img;
}

// std::lround for v >= 0, inline: v minus its whole part is exact.
std::uint8_t round_half_up(double v) {
    auto whole = static_cast<int>(v);
    return static_cast<std::uint8_t>(whole + (v - whole >= 0.5 ? 1 : 0));
}

// A dark-blue -> purple -> orange -> yellow ramp for t in [0, 1].
void heat(double t, std::uint8_t out[3]) {
    static const double stops[][3] = {{8, 8, 24}, {70, 20, 110}, {190, 50, 80}, {250, 150, 30}, {255, 250, 200}};
    t = std::clamp(t, 0.0, 1.0) * 4.0;
    int i = std::min(static_cast<int>(t), 3);
    double f = t - i;
    for (int c = 0; c < 3; ++c)
        out[c] = round_half_up(stops[i][c] + (stops[i + 1][c] - stops[i][c]) * f);
}

}  // namespace

rgb_image draw_waveform(const audio_buffer& audio, int width, int height) {
    static const std::uint8_t bg[3] = {22, 26, 34}, mid[3] = {60, 66, 80}, ink[3] = {110, 200, 160},
                              hot[3] = {240, 80, 70};
    rgb_image img = blank(width, height, bg);
    int centre = height / 2;
    for (int x = 0; x < width; ++x) put(img, x, centre, mid);
    std::size_t frames = audio.frames();
    if (frames == 0 || audio.channels < 1) return img;
    auto row_of = [&](double v) {
        double y = (1.0 - std::clamp(v, -1.0, 1.0)) * 0.5 * (height - 1);
        return static_cast<int>(std::lround(y));
    };
    for (int x = 0; x < width; ++x) {
        std::size_t from = frames * x / width, to = std::max(from + 1, frames * (x + 1) / width);
        double lo = 0, hi = 0;
        bool clipped = false;
        for (std::size_t f = from; f < to && f < frames; ++f)
            for (int c = 0; c < audio.channels; ++c) {
                double v = audio.samples[f * audio.channels + c];
                if (!std::isfinite(v)) v = 0;
                lo = std::min(lo, v);
                hi = std::max(hi, v);
                clipped = clipped || std::fabs(v) >= 1.0;
            }
        for (int y = row_of(hi); y <= row_of(lo); ++y) put(img, x, y, clipped ? hot : ink);
    }
    return img;
}

rgb_image draw_spectrogram(const audio_buffer& audio, int width, int height) {
    static const std::uint8_t bg[3] = {8, 8, 24};
    rgb_image img = blank(width, height, bg);
    std::size_t frames = audio.frames();
    if (frames == 0 || audio.channels < 1) return img;
    constexpr int n = 1024, bins = n / 2 + 1;
    std::unique_ptr<float, fftwf_freer> in(fftwf_alloc_real(n));
    std::unique_ptr<fftwf_complex, fftwf_complex_freer> out(fftwf_alloc_complex(bins));
    if (!in || !out) throw record_error("cannot draw spectrogram: out of memory");
    // FFTW_ESTIMATE picks the plan without timing runs, so the numbers (and the
    // image bytes) do not depend on how busy the machine was.
    std::unique_ptr<fftwf_plan_s, fftwf_plan_destroyer> plan(
        fftwf_plan_dft_r2c_1d(n, in.get(), out.get(), FFTW_ESTIMATE));
    if (!plan) throw record_error("cannot draw spectrogram: FFTW could not plan");
    std::vector<float> window(n);
    double window_sum = 0;
    for (int i = 0; i < n; ++i) {
        window[i] = static_cast<float>(0.5 - 0.5 * std::cos(2 * std::numbers::pi * i / n));
        window_sum += window[i];
    }
    // The mono mix, made once rather than in every window that covers a frame
    // (eight or nine windows for 1 s at 400 px). Non-finite samples count as
    // silence.
    std::vector<float> mono(frames);
    for (std::size_t f = 0; f < frames; ++f) {
        double v = 0;
        for (int c = 0; c < audio.channels; ++c) v += audio.samples[f * audio.channels + c];
        v /= audio.channels;
        mono[f] = std::isfinite(v) ? static_cast<float>(v) : 0.0f;
    }
    // The bins each pixel row covers, bottom row (0 Hz) last.
    std::vector<int> first_bin(height), end_bin(height);
    for (int y = 0; y < height; ++y) {
        int row = height - 1 - y;
        first_bin[y] = static_cast<int>(static_cast<long long>(row) * bins / height);
        end_bin[y] = std::min(
            bins, std::max(first_bin[y] + 1, static_cast<int>(static_cast<long long>(row + 1) * bins / height)));
    }
    std::vector<double> power(bins);
    std::uint8_t colour[3], floor_colour[3];
    heat(0, floor_colour);
    // Below this amplitude the level is under -120 dB with room to spare for
    // log10's rounding: the ramp's floor colour, without computing it.
    constexpr double quiet = 0.999999e-6;
    for (int x = 0; x < width; ++x) {
        // Each column is one window centred on its share of the audio.
        long long centre = static_cast<long long>((frames * (2 * x + 1)) / (2 * static_cast<std::size_t>(width)));
        for (int i = 0; i < n; ++i) {
            long long f = centre - n / 2 + i;
            in.get()[i] = f >= 0 && static_cast<std::size_t>(f) < frames ? mono[f] * window[i] : 0.0f;
        }
        fftwf_execute(plan.get());
        for (int b = 0; b < bins; ++b) {
            double re = out.get()[b][0], im = out.get()[b][1];
            power[b] = re * re + im * im;
        }
        for (int y = 0; y < height; ++y) {
            // The loudest bin of the row, found on the power: sqrt, scaling
            // and log10 keep the order, so only one level is computed a pixel.
            // (NaN bins are passed over; a row of them reads as silence.)
            double most = -1;
            for (int b = first_bin[y]; b < end_bin[y]; ++b) most = std::max(most, power[b]);
            double amp = most >= 0 ? 2.0 * std::sqrt(most) / window_sum : 0;
            if (amp < quiet) {
                put(img, x, y, floor_colour);
                continue;
            }
            heat((20.0 * std::log10(amp) + 120.0) / 120.0, colour);
            put(img, x, y, colour);
        }
    }
    return img;
}

}  // namespace vr
