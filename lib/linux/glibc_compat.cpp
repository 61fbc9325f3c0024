// SPDX-License-Identifier: GPL-3.0-or-later
// Plugins built against glibc before 2.31 may import the __*_finite math
// entry points that -ffast-math used to emit; glibc 2.31 dropped them for
// new links, so such a plugin (Debian's so-synth-lv2) fails to load with
// "undefined symbol: __powf_finite". They were the ordinary functions under
// another name: render-one exports them (host.mk links with
// --export-dynamic) so the dynamic loader finds them here.
#include <cmath>

extern "C" {
__attribute__((visibility("default"), used)) float __powf_finite(float x, float y) { return std::pow(x, y); }
__attribute__((visibility("default"), used)) float __exp2f_finite(float x) { return std::exp2(x); }
__attribute__((visibility("default"), used)) float __expf_finite(float x) { return std::exp(x); }
__attribute__((visibility("default"), used)) float __logf_finite(float x) { return std::log(x); }
__attribute__((visibility("default"), used)) double __pow_finite(double x, double y) { return std::pow(x, y); }
__attribute__((visibility("default"), used)) double __exp_finite(double x) { return std::exp(x); }
__attribute__((visibility("default"), used)) double __exp2_finite(double x) { return std::exp2(x); }
__attribute__((visibility("default"), used)) double __log_finite(double x) { return std::log(x); }
}
