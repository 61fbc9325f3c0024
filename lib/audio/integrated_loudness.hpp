// SPDX-License-Identifier: GPL-3.0-or-later
// Integrated loudness (ITU-R BS.1770-4, EBU R128) as libebur128 1.2.6
// computes it, to the last bit: its K-weighting filter, its 400 ms blocks
// every 100 ms summed in the order its ring buffer gives, its gates. Ours
// keeps no ring: libebur128's state is a 400 ms buffer of doubles per
// channel, zeroed per call, and a forked child pays a page fault for every
// page of it.
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
// whose baseline has no fused multiply-add. (At 16 and 17 Hz libebur128
// writes past its buffer; ours measures them as if its ring held 400 ms.)
double integrated_loudness(const audio_buffer& audio);

}  // namespace vr
