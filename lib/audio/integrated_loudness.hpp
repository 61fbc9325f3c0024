// SPDX-License-Identifier: GPL-3.0-or-later
// Integrated loudness (ITU-R BS.1770-4, EBU R128) as libebur128 1.2.6
// computes it, to the last bit: its K-weighting filter, its 400 ms blocks
// every 100 ms summed in the order its ring buffer gives, its gates. It
// needs no 400 ms ring of its own per call beyond one allocation mapped in
// a single call (a forked child pays a page fault for every fresh page).
#pragma once
#include "audio/file.hpp"

namespace vr {

// The integrated loudness of the samples at audio.sample_rate, in LUFS:
// the K-weighted energy of 400 ms blocks every 100 ms, gated at -70 LUFS
// and then at 10 LU under the mean of the blocks left. Channels weigh as
// BS.1770's loudspeakers: one channel is one loudspeaker; 2 are L R; 3 are
// L R C; 4 are L R Ls Rs; 5 are L R C Ls Rs; 6 are L R C LFE Ls Rs; the LFE
// and channels past the sixth are left out, surrounds weigh 1.41.
// -infinity when no block passes the gates (silence, fewer frames than one
// block), when there are no channels or the rate is under 16 Hz.
// Equal bit for bit to libebur128 1.2.6's ebur128_loudness_global in
// EBUR128_MODE_I (mono set to EBUR128_CENTER) on the same buffer on x86-64,
// whose baseline has no fused multiply-add; libebur128 overruns its buffer
// at rates under 25 Hz, where ours sums each block in time order.
double integrated_loudness(const audio_buffer& audio);

}  // namespace vr
