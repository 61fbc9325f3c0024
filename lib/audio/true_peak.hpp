// SPDX-License-Identifier: GPL-3.0-or-later
// True peak (ITU-R BS.1770 Annex 2): the peak of the signal interpolated to
// 4x its rate below 96 kHz, 2x below 192 kHz, and the sample peak above. The
// interpolator is libebur128 1.2.6's (a 49-tap Hann-windowed sinc, no flush
// at the end), so that the figure is the one it gives, at a fraction of its
// cost: a float FIR that the compiler vectorizes finds where the peak can
// be, and libebur128's own double sum is redone there only.
#pragma once
#include "audio/file.hpp"

namespace vr {

// The true peak of finite samples over all channels, linear (1.0 is full
// scale; 0 for digital silence and for no frames): the largest of the
// sample peak and the interpolated peak, equal bit for bit to the maximum
// over channels of libebur128's ebur128_true_peak (EBUR128_MODE_TRUE_PEAK)
// on the same buffer when its build does not fuse multiply-adds (x86-64's
// baseline, Debian's amd64 build), within a float's last bit otherwise.
// Takes any channel count and any positive sample rate.
double true_peak(const audio_buffer& audio);

// How many times true_peak raises audio at this sample rate (4, 2 or 1).
int true_peak_oversampling(int sample_rate);

}  // namespace vr
