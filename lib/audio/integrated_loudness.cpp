// SPDX-License-Identifier: GPL-3.0-or-later
#include "audio/integrated_loudness.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "audio/k_weighting.hpp"

#include "audio/exact_sums.hpp"  // last: no fused multiply-add below

namespace vr {

namespace {

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

// Frames filtered at a time, between the filter (flush-to-zero on) and the
// sums (off), as libebur128 keeps them apart: a few kilobytes of stack
// that stay in the L1 cache.
constexpr std::size_t span = 128;

// acc[k][u] += y[u][i]^2 for every i < n and k < 4, in order: the same
// squares join up to four blocks (an unused row is simply dropped after),
// 4 N independent chains.
template <int N>
void add_squares_to_four(const double (*y)[span], std::size_t n, double (&acc)[4][N]) {
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

// libebur128's absolute gate (-70 LUFS as an energy) and relative gate
// (-10 LU as a factor), the same expressions so the same doubles.
const double absolute_gate = std::pow(10.0, (-70.0 + 0.691) / 10.0);
const double relative_gate = std::pow(10.0, -10.0 / 10.0);

double energy_to_loudness(double energy) {
    return 10 * (std::log(energy) / std::log(10.0)) - 0.691;
}

// The sums of squares of the filtered signal over each 400 ms block (block
// e ends with chunk e - 1 of 100 ms, e = 4 .. chunks), per counted channel.
//
// libebur128 keeps the filtered signal in a ring of B = 4 or 5 chunks (400
// ms rounded up to whole chunks; chunk j sits in slot j mod B) and sums a
// block slot by slot from the ring's start: block e's m most recent chunks
// first, m = min((e - 1) mod B + 1, 4), then its older ones, each part in
// time order. A double sum depends on its order, so ours keeps it, without
// keeping the signal. Each chunk, once filtered, joins the blocks whose
// recent part it belongs to (four at most, summed side by side). A block
// with m < 4 ends the chunk in slot s = m - 1 of a cycle of B chunks (c B
// .. c B + B - 1) and its older chunks are c B - 3 + s .. c B - 1: the same
// three chunks for the cycle's blocks with s = 0, 1, 2. Those three are
// filtered again from the state saved where they began, alongside the
// cycle's chunks in slots 1 to 3 (a second chain costs little), and each
// joins the blocks it belongs to.
class block_sums {
  public:
    block_sums(const audio_buffer& audio, const channel_plan& plan, std::size_t chunk, std::size_t slots,
               std::size_t chunks)
        : audio_(audio), filter_(k_weighting(audio.sample_rate)), plan_(plan), chunk_(chunk), slots_(slots),
          chunks_(chunks) {}

    // totals[(e - 4) * plan.count + u]: block e's sum for counted channel u.
    void measure(double* totals) {
        // Channels go through in pairs: two more independent chains.
        int u = 0;
        for (; u + 2 <= plan_.count; u += 2) measure_channels<2>(u, totals);
        if (u < plan_.count) measure_channels<1>(u, totals);
    }

  private:
    // How many of block e's chunks are its recent part (summed first).
    std::size_t recent(std::size_t e) const { return std::min<std::size_t>((e - 1) % slots_ + 1, 4); }

    static constexpr std::size_t none = static_cast<std::size_t>(-1);  // no chunk

    template <int N>
    void measure_channels(int u0, double* totals) {
        const std::size_t cycle = slots_;
        k_state now[N] = {}, saved[N] = {}, again[N] = {};
        double acc[8][N] = {};  // the blocks in flight, by e mod 8
        auto finish = [&](std::size_t e) {
            for (int u = 0; u < N; ++u)
                totals[(e - 4) * static_cast<std::size_t>(plan_.count) + static_cast<std::size_t>(u0 + u)] =
                    acc[e % 8][u];
        };
        // Takes chunk j into the blocks whose recent part holds it and,
        // in the same pass, chunk c B - 3 + k (the older chunk k of cycle c)
        // into the cycle's blocks s = 0 .. last, last <= k (those that
        // exist); j or k may be none.
        auto pass = [&](std::size_t j, std::size_t c, std::size_t k, std::size_t last) {
            double recent_sums[4][N] = {}, older_sums[4][N] = {};
            bool joins[4] = {};  // block j + 1 + i sums chunk j first or next
            if (j != none)
                for (std::size_t i = 0; i < 4; ++i) {
                    const std::size_t e = j + 1 + i;
                    joins[i] = e >= 4 && j + recent(e) >= e;
                    if (joins[i] && j + recent(e) > e)
                        for (int u = 0; u < N; ++u) recent_sums[i][u] = acc[e % 8][u];
                }
            if (k != none) {
                if (k == 0)
                    for (int u = 0; u < N; ++u) again[u] = saved[u];
                for (std::size_t s = 0; s <= last; ++s)
                    for (int u = 0; u < N; ++u) older_sums[s][u] = acc[(c * cycle + 1 + s) % 8][u];
            }
            chunk_pass<N>(u0, j, k == none ? none : c * cycle - 3 + k, now, again, recent_sums, older_sums);
            for (std::size_t i = 0; i < 4; ++i)
                if (joins[i])
                    for (int u = 0; u < N; ++u) acc[(j + 1 + i) % 8][u] = recent_sums[i][u];
            if (k != none)
                for (std::size_t s = 0; s <= last; ++s)
                    for (int u = 0; u < N; ++u) acc[(c * cycle + 1 + s) % 8][u] = older_sums[s][u];
        };

        for (std::size_t j = 0; j < chunks_; ++j) {
            const std::size_t slot = j % cycle, c = j / cycle;
            const std::size_t k = c >= 1 && slot >= 1 && slot <= 3 ? slot - 1 : none;
            k_state start[N];
            for (int u = 0; u < N; ++u) start[u] = now[u];
            pass(j, c, k, k);
            // Where the next cycle's older chunks begin (kept after pass, which
            // may have started from the one saved before: B = 4).
            if (slot == cycle - 3)
                for (int u = 0; u < N; ++u) saved[u] = start[u];
            if (j >= 3 && recent(j + 1) == 4) finish(j + 1);
            if (k == 2)
                for (std::size_t s = 0; s <= 2; ++s) finish(c * cycle + 1 + s);
        }
        // The last cycle's older chunks that no chunk was left to go with.
        const std::size_t c = (chunks_ - 1) / cycle;
        const std::size_t present = chunks_ - 1 - c * cycle;  // its chunks after slot 0
        if (c >= 1 && present < 3) {
            for (std::size_t k = present; k <= 2; ++k) pass(none, c, k, present);
            for (std::size_t s = 0; s <= present; ++s) finish(c * cycle + 1 + s);
        }
    }

    // Filters chunk j (unless none) into the blocks' recent sums and chunk
    // q (unless none) again into their older sums, span frames at a time:
    // the filter with flush-to-zero on, then the sums with it off, as in
    // libebur128.
    template <int N>
    void chunk_pass(int u0, std::size_t j, std::size_t q, k_state* now, k_state* again, double (&recent_sums)[4][N],
                    double (&older_sums)[4][N]) {
        const auto stride = static_cast<std::size_t>(audio_.channels);
        alignas(64) double out[2 * N][span];
        for (std::size_t i0 = 0; i0 < chunk_; i0 += span) {
            const std::size_t n = std::min(span, chunk_ - i0);
            const float* src[2 * N];
            k_state* state[2 * N];
            double* rows[2 * N];
            int chains = 0;
            for (std::size_t from : {j, q}) {
                if (from == none) continue;
                for (int u = 0; u < N; ++u, ++chains) {
                    src[chains] = audio_.samples.data() + (from * chunk_ + i0) * stride +
                                  static_cast<std::size_t>(plan_.index[u0 + u]);
                    state[chains] = (from == j ? now : again) + u;
                    rows[chains] = out[chains];
                }
            }
            k_filter_chains(filter_, chains, src, stride, state, rows, n);
            if (j != none) add_squares_to_four<N>(out, n, recent_sums);
            if (q != none) add_squares_to_four<N>(out + (j != none ? N : 0), n, older_sums);
        }
        // libebur128 calls its filter on 400 ms, then on every 100 ms.
        for (int u = 0; u < N; ++u) {
            if (j != none && j >= 3) flush_small(now[u]);
            if (q != none && q >= 3) flush_small(again[u]);
        }
    }

    const audio_buffer& audio_;
    const k_filter filter_;
    const channel_plan& plan_;
    const std::size_t chunk_;   // frames in 100 ms, rounded
    const std::size_t slots_;   // B
    const std::size_t chunks_;  // whole chunks in the audio
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

    const std::size_t blocks = chunks - 3;
    const auto counted = static_cast<std::size_t>(plan.count);
    std::vector<double> sums(blocks * counted);
    block_sums(audio, plan, chunk, slots, chunks).measure(sums.data());

    // Each block's energy: its channels' sums in channel order, surrounds
    // weighed, over its frames; kept, in time order, when it passes the
    // absolute gate. Written over the sums it is made of (block b's energy
    // lands at b, at or before its own sums, after those of earlier blocks).
    std::size_t kept = 0;
    for (std::size_t b = 0; b < blocks; ++b) {
        double energy = 0.0;
        for (std::size_t u = 0; u < counted; ++u) {
            double channel_sum = sums[b * counted + u];
            if (plan.surround[u]) channel_sum *= 1.41;
            energy += channel_sum;
        }
        energy /= static_cast<double>(4 * chunk);
        if (energy >= absolute_gate) sums[kept++] = energy;
    }

    // libebur128's gating without its histogram: the mean of the blocks
    // over the absolute gate, times the relative gate, then the mean of the
    // blocks at or over that, each sum in time order.
    if (kept == 0) return none;
    double threshold = 0.0;
    for (std::size_t b = 0; b < kept; ++b) threshold += sums[b];
    threshold /= static_cast<double>(kept);
    threshold *= relative_gate;
    double gated = 0.0;
    std::size_t above = 0;
    for (std::size_t b = 0; b < kept; ++b)
        if (sums[b] >= threshold) {
            gated += sums[b];
            ++above;
        }
    if (above == 0) return none;
    gated /= static_cast<double>(above);
    return energy_to_loudness(gated);
}

}  // namespace vr
