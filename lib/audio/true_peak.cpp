// SPDX-License-Identifier: GPL-3.0-or-later
#include "audio/true_peak.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <stdexcept>
#include <utility>
#include <vector>

// The exact sum must round as libebur128's does: one rounding per product
// and per addition. A target with fused multiply-add (-march=haswell, arm64)
// would let the compiler fuse them; there, it is told not to.
#if defined(__clang__)
#define VR_NO_CONTRACT
#define VR_NO_CONTRACT_PRAGMA _Pragma("clang fp contract(off)")
#elif defined(__GNUC__) && defined(__FP_FAST_FMA)
#define VR_NO_CONTRACT __attribute__((optimize("fp-contract=off")))
#define VR_NO_CONTRACT_PRAGMA
#else
#define VR_NO_CONTRACT
#define VR_NO_CONTRACT_PRAGMA
#endif

namespace vr {

namespace {

// libebur128's interpolating filter (interp_create(49, factor, ...)): taps
// whose coefficient is at or below almost_zero are dropped.
constexpr int filter_taps = 49;
constexpr double almost_zero = 0.000001;

// Frames the fast pass filters at a time, per channel: enough to amortise the
// loop set-up, few enough to stay in the L1 cache.
constexpr int block = 256;

// The filter for one factor, split into phases: output p of frame n is
//     y_p(n) = sum over k < taps of c[p][k] * x(n - k)
// (x before the first frame is 0), as libebur128 computes output sample
// factor * n + p. Its phase 0 is one tap of exactly 1.0, a copy of x(n - 24 /
// factor) that the sample peak already covers: only phases 1.. are kept.
//
// The fast pass folds each phase around its middle. With, for k < taps / 2,
//     s_k = x(n - k) + x(n - taps + 1 + k),  d_k = x(n - k) - x(n - taps + 1 + k),
// the middle phase (factor / 2, symmetric) is sum mid[k] s_k, and phases 1
// and 3 of the 4x filter, mirror images of each other, are A + B and A - B
// with A = sum sym[k] s_k, B = sum anti[k] d_k: the larger of the two in
// magnitude is |A| + |B|. That is half the multiplications, and few enough
// coefficients to stay in registers.
template <int Factor>
struct polyphase {
    static_assert(Factor == 2 || Factor == 4);
    static constexpr int phases = Factor - 1;
    static constexpr int taps = (filter_taps - 1) / Factor;
    static constexpr int half = taps / 2;
    double exact[phases][taps];  // libebur128's doubles, in its order of summation
    float mid[half];
    float sym[half];   // 4x only
    float anti[half];  // 4x only
    // |fast figure - exact figure| < slack_per_unit * (largest |x|) + slack_floor.
    double slack_per_unit = 0;
    // No exact output exceeds gain * the largest |x| it is made of.
    double gain = 0;

    polyphase();
};

// Rounding below the smallest normal float is absolute, not relative: a few
// steps of half the smallest subnormal, with room to spare.
constexpr double slack_floor = 1e-42;

template <int Factor>
polyphase<Factor>::polyphase() : exact{}, mid{}, sym{}, anti{} {
    constexpr double pi = std::numbers::pi;
    int kept[Factor] = {};
    // The expressions of libebur128's interp_create, so the same doubles.
    for (int j = 0; j < filter_taps; ++j) {
        const double m = static_cast<double>(j) - static_cast<double>(filter_taps - 1) / 2.0;
        double c = 1.0;
        if (std::fabs(m) > almost_zero) c = std::sin(m * pi / Factor) / (m * pi / Factor);
        c *= 0.5 * (1 - std::cos(2 * pi * j / (filter_taps - 1)));
        if (std::fabs(c) <= almost_zero) continue;
        const int p = j % Factor;
        const int k = j / Factor;
        ++kept[p];
        if (p == 0 && (c != 1.0 || j != (filter_taps - 1) / 2))
            throw std::logic_error("true peak: phase 0 of the interpolator is not a plain copy");
        if (p > 0) exact[p - 1][k] = c;
    }
    for (int p = 1; p < Factor; ++p)
        if (kept[p] != taps) throw std::logic_error("true peak: an interpolator phase lacks taps");

    // The folded coefficients, and the coefficients they amount to, m[p][k],
    // to bound what folding and rounding them changed.
    const double* middle = exact[Factor / 2 - 1];
    const double* first = exact[0];
    double model[phases][taps] = {};
    for (int k = 0; k < half; ++k) {
        const int r = taps - 1 - k;
        mid[k] = static_cast<float>((middle[k] + middle[r]) / 2);
        model[Factor / 2 - 1][k] = model[Factor / 2 - 1][r] = mid[k];
        if constexpr (Factor == 4) {
            sym[k] = static_cast<float>((first[k] + first[r]) / 2);
            anti[k] = static_cast<float>((first[k] - first[r]) / 2);
            model[0][k] = model[2][r] = static_cast<double>(sym[k]) + anti[k];
            model[0][r] = model[2][k] = static_cast<double>(sym[k]) - anti[k];
        }
    }
    double widest = 0;   // the largest sum of |c| over a phase
    double folded = 0;   // the sum of |folded coefficient|, times 2 (|s_k|, |d_k| <= 2 max|x|)
    double changed = 0;  // the largest sum of |m - c| over a phase
    for (int p = 0; p < phases; ++p) {
        double sum = 0, off = 0;
        for (int k = 0; k < taps; ++k) {
            sum += std::fabs(exact[p][k]);
            off += std::fabs(model[p][k] - exact[p][k]);
        }
        widest = std::max(widest, sum);
        changed = std::max(changed, off);
    }
    for (int k = 0; k < half; ++k) folded += 2 * (std::fabs(mid[k]) + std::fabs(sym[k]) + std::fabs(anti[k]));
    if (changed > 1e-6) throw std::logic_error("true peak: the interpolator phases are not mirror images");
    // Each rounding in float (s_k and d_k, the products, the additions of
    // the sums, |A| + |B|: fewer than taps + 4 in any chain) is at most 2^-24
    // of the sum of the |terms|, so of folded * max|x|; the exact figure's
    // rounding to float adds 2^-24 of widest * max|x|; folding changed the
    // coefficients by `changed`. Doubled for margin.
    const double u = std::ldexp(1.0, -24);
    slack_per_unit = 2.0 * ((taps + 4) * u * folded + u * widest + changed);
    // The sum of |c x| bounds the exact sum; its roundings add a few parts
    // in 2^24 at most.
    gain = widest * (1.0 + 1e-6);
}

template <int Factor>
const polyphase<Factor>& filter() {
    static const polyphase<Factor> f;
    return f;
}

// term(Lo) + ... + term(Lo + N - 1) summed as a tree: no long chain of
// dependent additions, and the loop over frames around it vectorizes.
template <std::size_t Lo, std::size_t N, typename Term>
inline float tree_sum(const Term& term) {
    if constexpr (N == 1)
        return term(Lo);
    else
        return tree_sum<Lo, N / 2>(term) + tree_sum<Lo + N / 2, N - N / 2>(term);
}

// lanes[i] = the fast figure for frame x[i] (the largest |y_p| over the
// phases, within the slack), for each i < block.
template <int Factor>
inline void scan_block(const polyphase<Factor>& f, const float* __restrict x, float* __restrict lanes) {
    using poly = polyphase<Factor>;
    constexpr std::ptrdiff_t last = poly::taps - 1;
    for (int i = 0; i < block; ++i) {
        const float* xi = x + i;
        auto s = [xi](std::size_t k) { return xi[-static_cast<std::ptrdiff_t>(k)] + xi[static_cast<std::ptrdiff_t>(k) - last]; };
        auto d = [xi](std::size_t k) { return xi[-static_cast<std::ptrdiff_t>(k)] - xi[static_cast<std::ptrdiff_t>(k) - last]; };
        float m = std::fabs(tree_sum<0, poly::half>([&](std::size_t k) { return f.mid[k] * s(k); }));
        if constexpr (Factor == 4) {
            const float a = tree_sum<0, poly::half>([&](std::size_t k) { return f.sym[k] * s(k); });
            const float b = tree_sum<0, poly::half>([&](std::size_t k) { return f.anti[k] * d(k); });
            m = std::max(m, std::fabs(a) + std::fabs(b));
        }
        lanes[i] = m;
    }
}

// The largest |y_p| over the phases for frame x[0], exactly as libebur128
// has each: a double sum in its order, rounded to float, with its
// flush-to-zero (on while it filters) turning a subnormal result into 0.
template <int Phases, int Taps>
VR_NO_CONTRACT double exact_peak(const double (&c)[Phases][Taps], const float* x) {
    VR_NO_CONTRACT_PRAGMA
    double peak = 0.0;
    for (int p = 0; p < Phases; ++p) {
        double acc = 0.0;
        for (int k = 0; k < Taps; ++k) acc += static_cast<double>(x[-k]) * c[p][k];
        float y = static_cast<float>(acc);
        if (std::fabs(y) < FLT_MIN) y = 0.0f;
        peak = std::max(peak, std::fabs(static_cast<double>(y)));
    }
    return peak;
}

// The largest |s[i]|, eight lanes at a time so that it vectorizes.
float peak_of(const float* s, std::size_t n) {
    float lane[8] = {};
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; ++l) lane[l] = std::max(lane[l], std::fabs(s[i + l]));
    float peak = 0.0f;
    for (; i < n; ++i) peak = std::max(peak, std::fabs(s[i]));
    for (float v : lane) peak = std::max(peak, v);
    return peak;
}

// Copies n <= block frames of interleaved samples to one array per channel,
// zero-filled to a whole block; stereo blocks in a loop that vectorizes.
void deinterleave(const float* s, std::size_t channels, std::size_t n, float* const* out) {
    if (channels == 2 && n == block) {
        float* __restrict left = out[0];
        float* __restrict right = out[1];
        for (int i = 0; i < block; ++i) {
            left[i] = s[2 * i];
            right[i] = s[2 * i + 1];
        }
    } else if (channels == 1) {
        std::copy(s, s + n, out[0]);
    } else {
        for (std::size_t c = 0; c < channels; ++c)
            for (std::size_t i = 0; i < n; ++i) out[c][i] = s[i * channels + c];
    }
    for (std::size_t c = 0; c < channels; ++c) std::fill(out[c] + n, out[c] + block, 0.0f);
}

// The fast pass filters every frame of every channel in float; an output
// whose float value comes within the slack of the best exact figure so far
// could be the peak, and only those are computed again exactly. The result
// is then libebur128's maximum, whatever the float rounding did.
template <int Factor>
double interpolated_peak(const audio_buffer& audio, float peak_of_samples) {
    using poly = polyphase<Factor>;
    constexpr int history = poly::taps - 1;
    constexpr int stride = history + block;
    const poly& f = filter<Factor>();
    const auto channels = static_cast<std::size_t>(audio.channels);
    const std::size_t frames = audio.frames();
    const double slack = f.slack_per_unit * peak_of_samples + slack_floor;

    // Per channel: `history` frames before the block, then the block.
    std::vector<float> window(channels * stride, 0.0f);
    std::vector<float*> fresh(channels);
    for (std::size_t c = 0; c < channels; ++c) fresh[c] = window.data() + c * stride + history;
    std::vector<float> last_peak(channels, 0.0f);  // of the block before, which holds the history
    alignas(64) float lanes[block];
    double best = peak_of_samples;
    for (std::size_t start = 0; start < frames; start += block) {
        const std::size_t n = std::min<std::size_t>(block, frames - start);
        for (float* x : fresh) std::copy(x + block - history, x + block, x - history);
        deinterleave(audio.samples.data() + start * channels, channels, n, fresh.data());
        for (std::size_t c = 0; c < channels; ++c) {
            const float* x = fresh[c];
            // Computed only where it can matter: a block too quiet to beat
            // the best so far (at first the sample peak) is skipped.
            const float peak = peak_of(x, block);
            const float window_peak = std::max(peak, last_peak[c]);
            last_peak[c] = peak;
            if (window_peak * f.gain <= best) continue;
            scan_block(f, x, lanes);
            if (peak_of(lanes, block) < best - slack) continue;
            for (std::size_t i = 0; i < n; ++i) {
                if (lanes[i] < best - slack) continue;
                best = std::max(best, exact_peak(f.exact, x + i));
            }
        }
    }
    return best;
}

}  // namespace

int true_peak_oversampling(int sample_rate) {
    return sample_rate < 96000 ? 4 : sample_rate < 192000 ? 2 : 1;
}

double true_peak(const audio_buffer& audio) {
    if (audio.channels < 1) return 0.0;
    const float peak = peak_of(audio.samples.data(), audio.frames() * static_cast<std::size_t>(audio.channels));
    // All zeros interpolate to zeros.
    if (peak == 0.0f) return 0.0;
    switch (true_peak_oversampling(audio.sample_rate)) {
        case 4: return interpolated_peak<4>(audio, peak);
        case 2: return interpolated_peak<2>(audio, peak);
        default: return peak;
    }
}

}  // namespace vr
