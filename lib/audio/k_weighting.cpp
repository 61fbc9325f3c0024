// SPDX-License-Identifier: GPL-3.0-or-later
#include "audio/k_weighting.hpp"

#include <cfloat>
#include <cmath>
#include <numbers>
#include <utility>

#if defined(__SSE2_MATH__)
#include <xmmintrin.h>
#endif

#include "audio/exact_sums.hpp"  // last: no fused multiply-add below

namespace vr {

namespace {

// The expressions of libebur128's ebur128_init_filter, so the same doubles
// at any rate.
k_filter coefficients(int rate) {
    constexpr double pi = std::numbers::pi;
    const double sr = static_cast<double>(rate);

    double f0 = 1681.974450955533;
    const double G = 3.999843853973347;
    double Q = 0.7071752369554196;
    double K = std::tan(pi * f0 / sr);
    const double Vh = std::pow(10.0, G / 20.0);
    const double Vb = std::pow(Vh, 0.4996667741545416);
    double pb[3] = {0.0, 0.0, 0.0};
    double pa[3] = {1.0, 0.0, 0.0};
    const double rb[3] = {1.0, -2.0, 1.0};
    double ra[3] = {1.0, 0.0, 0.0};
    const double a0 = 1.0 + K / Q + K * K;
    pb[0] = (Vh + Vb * K / Q + K * K) / a0;
    pb[1] = 2.0 * (K * K - Vh) / a0;
    pb[2] = (Vh - Vb * K / Q + K * K) / a0;
    pa[1] = 2.0 * (K * K - 1.0) / a0;
    pa[2] = (1.0 - K / Q + K * K) / a0;

    f0 = 38.13547087602444;
    Q = 0.5003270373238773;
    K = std::tan(pi * f0 / sr);
    ra[1] = 2.0 * (K * K - 1.0) / (1.0 + K / Q + K * K);
    ra[2] = (1.0 - K / Q + K * K) / (1.0 + K / Q + K * K);

    k_filter f;
    f.b[0] = pb[0] * rb[0];
    f.b[1] = pb[0] * rb[1] + pb[1] * rb[0];
    f.b[2] = pb[0] * rb[2] + pb[1] * rb[1] + pb[2] * rb[0];
    f.b[3] = pb[1] * rb[2] + pb[2] * rb[1];
    f.b[4] = pb[2] * rb[2];
    f.a[0] = pa[0] * ra[0];
    f.a[1] = pa[0] * ra[1] + pa[1] * ra[0];
    f.a[2] = pa[0] * ra[2] + pa[1] * ra[1] + pa[2] * ra[0];
    f.a[3] = pa[1] * ra[2] + pa[2] * ra[1];
    f.a[4] = pa[2] * ra[2];
    return f;
}

// Two chains side by side in one register, each lane computed as the
// scalar code would (the same IEEE operations, flush-to-zero alike).
using lanes = double __attribute__((vector_size(16)));

// k_filter_chains for 2 P chains, P pairs at a time in each step.
template <std::size_t... P>
#if defined(__GNUC__)
__attribute__((noinline))  // the flush-to-zero flag is set around it, not around parts of a caller
#endif
void k_filter_pairs(std::index_sequence<P...>, const k_filter& f, const float* const* src, std::size_t stride,
                    k_state* const* state, double* const* out, std::size_t frames) {
    auto both = [](double c) { return lanes{c, c}; };
    const lanes a1 = both(f.a[1]), a2 = both(f.a[2]), a3 = both(f.a[3]), a4 = both(f.a[4]);
    const lanes b0 = both(f.b[0]), b1 = both(f.b[1]), b2 = both(f.b[2]), b3 = both(f.b[3]), b4 = both(f.b[4]);
    struct pair_state {
        lanes v1, v2, v3, v4;
    };
    // libebur128's arithmetic in its order: v_0 = x - a_1 v_1 - ... - a_4
    // v_4 from the left, y = b_0 v_0 + ... + b_4 v_4 from the left.
    auto step = [&](pair_state& s, lanes x) {
        const lanes v0 = x - a1 * s.v1 - a2 * s.v2 - a3 * s.v3 - a4 * s.v4;
        const lanes y = b0 * v0 + b1 * s.v1 + b2 * s.v2 + b3 * s.v3 + b4 * s.v4;
        s.v4 = s.v3;
        s.v3 = s.v2;
        s.v2 = s.v1;
        s.v1 = v0;
        return y;
    };
    auto frame = [&](std::size_t p, pair_state& s, std::size_t i) {
        const std::size_t at = i * stride;
        const lanes y = step(s, lanes{src[2 * p][at], src[2 * p + 1][at]});
        out[2 * p][i] = y[0];
        out[2 * p + 1][i] = y[1];
    };
    auto load = [&](std::size_t p) {
        const k_state& l = *state[2 * p];
        const k_state& r = *state[2 * p + 1];
        return pair_state{lanes{l.v1, r.v1}, lanes{l.v2, r.v2}, lanes{l.v3, r.v3}, lanes{l.v4, r.v4}};
    };
    auto store = [&](std::size_t p, const pair_state& s) {
        *state[2 * p] = k_state{s.v1[0], s.v2[0], s.v3[0], s.v4[0]};
        *state[2 * p + 1] = k_state{s.v1[1], s.v2[1], s.v3[1], s.v4[1]};
    };
#if defined(__SSE2_MATH__)
    // As libebur128's TURN_ON_FTZ: a result under the smallest normal
    // double becomes 0 (and a decaying tail never turns into slow subnormal
    // arithmetic).
    const unsigned int csr = _mm_getcsr();
    _mm_setcsr(csr | _MM_FLUSH_ZERO_ON);
#endif
    pair_state s[] = {load(P)...};
    for (std::size_t i = 0; i < frames; ++i) (frame(P, s[P], i), ...);
    (store(P, s[P]), ...);
#if defined(__SSE2_MATH__)
    _mm_setcsr(csr);
#endif
}

}  // namespace

k_filter k_weighting(int rate) {
    // The last rate's, kept: a forked child measuring at the rate its parent
    // warmed up at then reads them from a page it shares, instead of
    // calling tan, whose code and tables would each cost it a page fault.
    thread_local int last_rate = 0;
    thread_local k_filter last;
    if (rate != last_rate) {
        last = coefficients(rate);
        last_rate = rate;
    }
    return last;
}

void k_filter_chains(const k_filter& f, int chains, const float* const* src, std::size_t stride,
                     k_state* const* state, double* const* out, std::size_t frames) {
    const float* from[4];
    k_state* memory[4];
    double* to[4];
    for (int k = 0; k < chains; ++k) from[k] = src[k], memory[k] = state[k], to[k] = out[k];
    // An odd chain out is paired with a copy of itself: the same outputs,
    // written twice.
    k_state spare;
    if (chains % 2) {
        spare = *state[chains - 1];
        from[chains] = src[chains - 1], memory[chains] = &spare, to[chains] = out[chains - 1];
    }
    if (chains <= 2)
        k_filter_pairs(std::make_index_sequence<1>{}, f, from, stride, memory, to, frames);
    else
        k_filter_pairs(std::make_index_sequence<2>{}, f, from, stride, memory, to, frames);
}

void flush_small(k_state& s) {
#if !defined(__SSE2_MATH__)
    for (double* v : {&s.v1, &s.v2, &s.v3, &s.v4})
        if (std::fabs(*v) < DBL_MIN) *v = 0.0;
#else
    (void)s;
#endif
}

}  // namespace vr
