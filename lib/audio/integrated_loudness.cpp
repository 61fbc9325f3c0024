// SPDX-License-Identifier: GPL-3.0-or-later
#include "audio/integrated_loudness.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <numbers>
#include <vector>

#include "core/memory.hpp"

#if defined(__SSE2_MATH__)
#include <xmmintrin.h>
#endif

// Every sum must round as libebur128's does: one rounding per product and
// per addition. A target with fused multiply-add (-march=haswell, arm64)
// would let the compiler fuse them; there, it is told not to.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__) && defined(__FP_FAST_FMA)
#pragma GCC optimize("fp-contract=off")
#endif

namespace vr {

namespace {

// The K-weighting filter (a high shelf, then a high pass) as one 4th-order
// direct form II: y = b . v, v[0] = x - a[1..4] . v[1..4].
struct k_filter {
    double b[5];
    double a[5];
};

// The expressions of libebur128's ebur128_init_filter, so the same doubles
// at any rate.
k_filter k_weighting(int rate) {
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

// The channels that count, in order, and whether each is a surround
// (weight 1.41): libebur128's default channel map, mono as one loudspeaker.
struct channel_plan {
    static constexpr int most = 5;  // L R C Ls Rs
    int index[most];
    bool surround[most];
    int count = 0;
};

channel_plan plan_channels(int channels) {
    channel_plan p;
    auto add = [&p](int index, bool surround) {
        p.index[p.count] = index;
        p.surround[p.count] = surround;
        ++p.count;
    };
    if (channels == 4) {
        add(0, false), add(1, false), add(2, true), add(3, true);
    } else if (channels == 5) {
        add(0, false), add(1, false), add(2, false), add(3, true), add(4, true);
    } else {
        // L R C, the LFE left out, Ls Rs, and nothing past them.
        for (int c = 0; c < channels && c < 6; ++c)
            if (c != 3) add(c, c >= 4);
    }
    return p;
}

// The filter's memory for one channel: v_1 .. v_4.
struct k_state {
    double v1 = 0.0, v2 = 0.0, v3 = 0.0, v4 = 0.0;
};

// Filters `frames` frames of N channels (1 or 2: src[channel[u]], frames
// `stride` floats apart) into out[u], carrying state[u]. Two channels at
// once keep two independent chains in flight: the recursion is a chain of
// dependent operations, which alone leaves the core mostly idle.
// Flush-to-zero is on while it runs, as in libebur128's filter (a result
// under the smallest normal double becomes 0; a decaying tail never turns
// into slow subnormal arithmetic either).
template <int N>
#if defined(__GNUC__)
__attribute__((noinline))
#endif
void k_filter_frames(const k_filter& filter, const float* src, std::size_t stride, const int* channel,
                     k_state* state, double* const* out, std::size_t frames) {
    static_assert(N == 1 || N == 2);
    const k_filter f = filter;  // a local copy: stores to out could alias it
    // libebur128's arithmetic in its order: v_0 = x - a_1 v_1 - ... - a_4
    // v_4 from the left, y = b_0 v_0 + ... + b_4 v_4 from the left.
    auto step = [&f](k_state& s, double x) {
        const double v0 = x - f.a[1] * s.v1 - f.a[2] * s.v2 - f.a[3] * s.v3 - f.a[4] * s.v4;
        const double y = f.b[0] * v0 + f.b[1] * s.v1 + f.b[2] * s.v2 + f.b[3] * s.v3 + f.b[4] * s.v4;
        s.v4 = s.v3;
        s.v3 = s.v2;
        s.v2 = s.v1;
        s.v1 = v0;
        return y;
    };
#if defined(__SSE2_MATH__)
    const unsigned int csr = _mm_getcsr();
    _mm_setcsr(csr | _MM_FLUSH_ZERO_ON);
#endif
    k_state s0 = state[0];
    const std::size_t c0 = static_cast<std::size_t>(channel[0]);
    double* const out0 = out[0];
    if constexpr (N == 1) {
        for (std::size_t i = 0; i < frames; ++i) out0[i] = step(s0, static_cast<double>(src[i * stride + c0]));
    } else {
        k_state s1 = state[1];
        const std::size_t c1 = static_cast<std::size_t>(channel[1]);
        double* const out1 = out[1];
        for (std::size_t i = 0; i < frames; ++i) {
            const float* frame = src + i * stride;
            out0[i] = step(s0, static_cast<double>(frame[c0]));
            out1[i] = step(s1, static_cast<double>(frame[c1]));
        }
        state[1] = s1;
    }
    state[0] = s0;
#if defined(__SSE2_MATH__)
    _mm_setcsr(csr);
#endif
}

// acc[k][u] += y[u][i]^2 for every i < n and k < 4, in order: the same
// squares join the four blocks that are summing this part of the signal,
// 4 N independent chains.
template <int N>
void add_squares_to_four(const double* const* y, std::size_t n, double (&acc)[4][N]) {
    static_assert(N == 1 || N == 2);
    const double* const y0 = y[0];
    const double* const y1 = y[N - 1];
    double a0 = acc[0][0], a1 = acc[1][0], a2 = acc[2][0], a3 = acc[3][0];
    double b0 = acc[0][N - 1], b1 = acc[1][N - 1], b2 = acc[2][N - 1], b3 = acc[3][N - 1];
    for (std::size_t i = 0; i < n; ++i) {
        const double sq = y0[i] * y0[i];
        a0 += sq;
        a1 += sq;
        a2 += sq;
        a3 += sq;
        if constexpr (N == 2) {
            const double sq1 = y1[i] * y1[i];
            b0 += sq1;
            b1 += sq1;
            b2 += sq1;
            b3 += sq1;
        }
    }
    acc[0][0] = a0, acc[1][0] = a1, acc[2][0] = a2, acc[3][0] = a3;
    if constexpr (N == 2) acc[0][1] = b0, acc[1][1] = b1, acc[2][1] = b2, acc[3][1] = b3;
}

// acc[u] += y[u][i]^2 for every i < n, in order.
template <int N>
void add_squares(const double* const* y, std::size_t n, double (&acc)[N]) {
    static_assert(N == 1 || N == 2);
    const double* const y0 = y[0];
    const double* const y1 = y[N - 1];
    double a = acc[0], b = acc[N - 1];
    for (std::size_t i = 0; i < n; ++i) {
        a += y0[i] * y0[i];
        if constexpr (N == 2) b += y1[i] * y1[i];
    }
    acc[0] = a;
    if constexpr (N == 2) acc[1] = b;
}

// libebur128's absolute gate (-70 LUFS as an energy) and relative gate
// (-10 LU as a factor), the same expressions so the same doubles.
const double absolute_gate = std::pow(10.0, (-70.0 + 0.691) / 10.0);
const double relative_gate = std::pow(10.0, -10.0 / 10.0);

double energy_to_loudness(double energy) {
    return 10 * (std::log(energy) / std::log(10.0)) - 0.691;
}

// The energies of the 400 ms blocks, 100 ms apart.
//
// libebur128 keeps the filtered signal in a ring of B = 4 or 5 chunks of
// 100 ms (B is 400 ms rounded up to whole chunks; chunk j sits in slot
// j mod B) and sums a block's squares slot by slot from the ring's start:
// for the block that ends with chunk e - 1, that is the m most recent
// chunks e - m .. e - 1 first, m = min(((e - 1) mod B) + 1, 4), then the
// older ones e - 4 .. e - m - 1, in time order within each part. A double
// sum depends on its order, so ours keeps it: once a chunk is filtered,
// its squares join every block whose recent part it belongs to (four at
// most, summed side by side), and when a block ends, its older chunks are
// added from our own ring of the last four chunks.
class block_meter {
  public:
    block_meter(const audio_buffer& audio, const channel_plan& plan, std::size_t chunk, std::size_t slots,
                double* ring)
        : audio_(audio), filter_(k_weighting(audio.sample_rate)), plan_(plan), chunk_(chunk), slots_(slots),
          ring_(ring) {}

    // Takes chunk j (all of them in order, from 0): when j >= 3, the block
    // that ends with it is then complete.
    void take(std::size_t j) {
        // Channels go through in pairs, two independent chains at a time.
        int u = 0;
        for (; u + 2 <= plan_.count; u += 2) take<2>(j, u);
        if (u < plan_.count) take<1>(j, u);
    }

    // The energy of the block that ended with the last chunk taken: the
    // channels' sums in channel order, surrounds weighed, over its frames.
    double block_energy() const {
        double energy = 0.0;
        for (int u = 0; u < plan_.count; ++u) {
            double channel_sum = total_[u];
            if (plan_.surround[u]) channel_sum *= 1.41;
            energy += channel_sum;
        }
        return energy / static_cast<double>(4 * chunk_);
    }

  private:
    // m: how many of block e's chunks (those ending with chunk e - 1) are
    // summed first.
    std::size_t recent(std::size_t e) const { return std::min<std::size_t>((e - 1) % slots_ + 1, 4); }

    // Counted channel u's filtered chunk j, while it is one of the last four.
    double* filtered(int u, std::size_t j) const {
        return ring_ + (static_cast<std::size_t>(u) * 4 + j % 4) * chunk_;
    }

    // Chunk j of counted channels u0 .. u0 + N - 1.
    template <int N>
    void take(std::size_t j, int u0) {
        const auto stride = static_cast<std::size_t>(audio_.channels);
        double* out[N];
        for (int u = 0; u < N; ++u) out[u] = filtered(u0 + u, j);
        k_filter_frames<N>(filter_, audio_.samples.data() + j * chunk_ * stride, stride, plan_.index + u0,
                           state_ + u0, out, chunk_);
#if !defined(__SSE2_MATH__)
        // Without SSE, libebur128 flushes the state by hand after each call
        // of its filter: 400 ms, then every 100 ms.
        if (j >= 3)
            for (int u = u0; u < u0 + N; ++u)
                for (double* v : {&state_[u].v1, &state_[u].v2, &state_[u].v3, &state_[u].v4})
                    if (std::fabs(*v) < DBL_MIN) *v = 0.0;
#endif
        // The blocks e = j + 1 .. j + 4 whose recent part holds chunk j.
        double sums[4][N];
        bool joins[4];
        for (int k = 0; k < 4; ++k) {
            const std::size_t e = j + 1 + static_cast<std::size_t>(k);
            joins[k] = e >= 4 && j + recent(e) >= e;
            const bool starts = joins[k] && j + recent(e) == e;
            for (int u = 0; u < N; ++u) sums[k][u] = joins[k] && !starts ? recent_[e % 4][u0 + u] : 0.0;
        }
        add_squares_to_four<N>(out, chunk_, sums);
        for (int k = 0; k < 4; ++k)
            if (joins[k])
                for (int u = 0; u < N; ++u) recent_[(j + 1 + static_cast<std::size_t>(k)) % 4][u0 + u] = sums[k][u];
        if (j < 3) return;
        // Block e = j + 1 ends here: its older chunks follow, in time order.
        const std::size_t e = j + 1;
        double total[N];
        for (int u = 0; u < N; ++u) total[u] = recent_[e % 4][u0 + u];
        for (std::size_t q = e - 4; q < e - recent(e); ++q) {
            const double* older[N];
            for (int u = 0; u < N; ++u) older[u] = filtered(u0 + u, q);
            add_squares<N>(older, chunk_, total);
        }
        for (int u = 0; u < N; ++u) total_[u0 + u] = total[u];
    }

    const audio_buffer& audio_;
    const k_filter filter_;
    const channel_plan& plan_;
    const std::size_t chunk_;  // frames in 100 ms, rounded
    const std::size_t slots_;  // B
    double* const ring_;       // per counted channel, its last four chunks filtered
    k_state state_[channel_plan::most];
    // The blocks in flight (e mod 4), per counted channel: their recent part so far.
    double recent_[4][channel_plan::most] = {};
    double total_[channel_plan::most] = {};  // the block that just ended, per counted channel
};

}  // namespace

double integrated_loudness(const audio_buffer& audio) {
    constexpr double none = -std::numeric_limits<double>::infinity();
    if (audio.channels < 1 || audio.sample_rate < 16) return none;
    const channel_plan plan = plan_channels(audio.channels);
    if (plan.count == 0) return none;

    const auto rate = static_cast<std::size_t>(audio.sample_rate);
    const std::size_t chunk = (rate + 5) / 10;
    const std::size_t chunks = audio.frames() / chunk;  // a last partial chunk is never in a block
    if (chunks < 4) return none;
    std::size_t ring_frames = rate * 400 / 1000;
    if (ring_frames % chunk) ring_frames += chunk - ring_frames % chunk;
    const std::size_t slots = std::max<std::size_t>(ring_frames / chunk, 4);

    // Our ring: the last four chunks of each counted channel, filtered. One
    // allocation, mapped in one call rather than a fault per page.
    const std::size_t ring_size = static_cast<std::size_t>(plan.count) * 4 * chunk;
    std::unique_ptr<double[]> ring(new double[ring_size]);
    map_ahead(ring.get(), ring_size * sizeof(double));

    block_meter meter(audio, plan, chunk, slots, ring.get());
    std::vector<double> blocks;  // the energies over the absolute gate, in time order
    blocks.reserve(chunks - 3);
    for (std::size_t j = 0; j < chunks; ++j) {
        meter.take(j);
        if (j < 3) continue;
        const double energy = meter.block_energy();
        if (energy >= absolute_gate) blocks.push_back(energy);
    }

    // libebur128's gating without its histogram: the mean of the blocks
    // over the absolute gate, times the relative gate, then the mean of the
    // blocks at or over that, each sum in time order.
    if (blocks.empty()) return none;
    double threshold = 0.0;
    for (double z : blocks) threshold += z;
    threshold /= static_cast<double>(blocks.size());
    threshold *= relative_gate;
    double gated = 0.0;
    std::size_t counted = 0;
    for (double z : blocks)
        if (z >= threshold) {
            gated += z;
            ++counted;
        }
    if (counted == 0) return none;
    gated /= static_cast<double>(counted);
    return energy_to_loudness(gated);
}

}  // namespace vr
