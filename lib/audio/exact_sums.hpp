// SPDX-License-Identifier: GPL-3.0-or-later
// Included by the .cpp files whose sums must round as libebur128's do (our
// loudness meters, which give its figures bit for bit): one rounding per
// product and per addition. A target with fused multiply-add
// (-march=haswell, arm64) would let the compiler fuse them; there, it is
// told not to, for the rest of the including file. Include it last.
#pragma once

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__) && defined(__FP_FAST_FMA)
#pragma GCC optimize("fp-contract=off")
#endif
