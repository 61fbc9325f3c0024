// SPDX-License-Identifier: GPL-3.0-or-later
// BS.1770's K-weighting filter (a high shelf, then a high pass) as
// libebur128 1.2.6 runs it, to the last bit: its coefficients at any rate,
// its arithmetic in its order, flush-to-zero on while it filters.
#pragma once
#include <cstddef>

namespace vr {

// The two sections as one 4th-order direct form II:
//     v_0 = x - a_1 v_1 - a_2 v_2 - a_3 v_3 - a_4 v_4
//     y   = b_0 v_0 + b_1 v_1 + b_2 v_2 + b_3 v_3 + b_4 v_4
struct k_filter {
    double b[5];
    double a[5];
};

// The coefficients at a sample rate (Hz, > 0): the doubles of libebur128's
// ebur128_init_filter. The last rate's are kept (per thread), so that a
// forked child measuring at its parent's rate computes nothing.
k_filter k_weighting(int rate);

// One channel's memory: v_1 .. v_4 (zero before the first sample).
struct k_state {
    double v1 = 0.0, v2 = 0.0, v3 = 0.0, v4 = 0.0;
};

// Filters `frames` frames of 1 to 4 independent chains: chain k reads
// src[k][i * stride] into out[k][i], carrying *state[k] on, each output the
// double libebur128 computes. On x86 the flush-to-zero flag is on while it
// runs, as in libebur128's filter, then restored; elsewhere the caller
// flushes the state where libebur128 does (flush_small). Several chains cost
// little more than one: the recursion alone leaves the core mostly idle.
void k_filter_chains(const k_filter& f, int chains, const float* const* src, std::size_t stride,
                     k_state* const* state, double* const* out, std::size_t frames);

// What libebur128 does by hand without SSE at the end of each call of its
// filter: a memory under the smallest normal double becomes 0 (a no-op
// where k_filter_chains flushes as it goes).
void flush_small(k_state& s);

}  // namespace vr
