// SPDX-License-Identifier: GPL-3.0-or-later
#include "preview/images.hpp"

#include <fftw3.h>
#include <png.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <numbers>
#include <string>

#include "core/error.hpp"
#include "core/handles.hpp"

namespace vr {

namespace {

struct png_writer_deleter {
    png_infop* info;
    void operator()(png_struct* p) const noexcept { png_destroy_write_struct(&p, info); }
};

void append_bytes(png_structp png, png_bytep data, png_size_t length) {
    auto* out = static_cast<std::vector<std::uint8_t>*>(png_get_io_ptr(png));
    out->insert(out->end(), data, data + length);
}

void no_flush(png_structp) {}

// libpng's error handler must not return, and C++ exceptions must not cross
// libpng's C frames: keep the message and jump back to encode_png's setjmp.
[[noreturn]] void png_fail(png_structp png, png_const_charp message) {
    auto* why = static_cast<std::string*>(png_get_error_ptr(png));
    if (why) *why = message ? message : "unknown error";
    png_longjmp(png, 1);
}

void png_warn(png_structp, png_const_charp) {}

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

// A dark-blue -> purple -> orange -> yellow ramp for t in [0, 1].
void heat(double t, std::uint8_t out[3]) {
    static const double stops[][3] = {{8, 8, 24}, {70, 20, 110}, {190, 50, 80}, {250, 150, 30}, {255, 250, 200}};
    t = std::clamp(t, 0.0, 1.0) * 4.0;
    int i = std::min(static_cast<int>(t), 3);
    double f = t - i;
    for (int c = 0; c < 3; ++c)
        out[c] = static_cast<std::uint8_t>(std::lround(stops[i][c] + (stops[i + 1][c] - stops[i][c]) * f));
}

}  // namespace

std::vector<std::uint8_t> encode_png(const rgb_image& image) {
    std::vector<std::uint8_t> out;
    std::string why;
    png_infop info = nullptr;
    png_structp raw = png_create_write_struct(PNG_LIBPNG_VER_STRING, &why, png_fail, png_warn);
    if (!raw) throw record_error("cannot encode PNG: libpng could not start");
    unique_handle<png_struct, png_writer_deleter> png(raw, png_writer_deleter{&info});
    info = png_create_info_struct(raw);
    if (!info) throw record_error("cannot encode PNG: out of memory");
    // Nothing with a destructor is created between here and the last libpng
    // call, so the jump back skips no cleanup.
    if (setjmp(png_jmpbuf(raw))) throw record_error("cannot encode PNG: " + why);
    png_set_write_fn(raw, &out, append_bytes, no_flush);
    png_set_IHDR(raw, info, image.width, image.height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(raw, 9);
    png_write_info(raw, info);
    for (int y = 0; y < image.height; ++y)
        png_write_row(raw, image.pixels.data() + static_cast<std::size_t>(y) * image.width * 3);
    png_write_end(raw, nullptr);
    return out;
}

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
    std::vector<double> level(bins);
    std::uint8_t colour[3];
    for (int x = 0; x < width; ++x) {
        // Each column is one window centred on its share of the audio.
        long long centre = static_cast<long long>((frames * (2 * x + 1)) / (2 * static_cast<std::size_t>(width)));
        for (int i = 0; i < n; ++i) {
            long long f = centre - n / 2 + i;
            double v = 0;
            if (f >= 0 && static_cast<std::size_t>(f) < frames)
                for (int c = 0; c < audio.channels; ++c) v += audio.samples[f * audio.channels + c];
            v /= audio.channels;
            in.get()[i] = std::isfinite(v) ? static_cast<float>(v) * window[i] : 0.0f;
        }
        fftwf_execute(plan.get());
        for (int b = 0; b < bins; ++b) {
            double re = out.get()[b][0], im = out.get()[b][1];
            double amp = 2.0 * std::sqrt(re * re + im * im) / window_sum;
            level[b] = 20.0 * std::log10(std::max(amp, 1e-9));
        }
        for (int y = 0; y < height; ++y) {
            int row = height - 1 - y;  // bottom row is 0 Hz
            int b0 = static_cast<int>(static_cast<long long>(row) * bins / height);
            int b1 = std::max(b0 + 1, static_cast<int>(static_cast<long long>(row + 1) * bins / height));
            double best = -200;
            for (int b = b0; b < b1 && b < bins; ++b) best = std::max(best, level[b]);
            heat((best + 120.0) / 120.0, colour);
            put(img, x, y, colour);
        }
    }
    return img;
}

}  // namespace vr
