// SPDX-License-Identifier: GPL-3.0-or-later
// true-peak-bench FILE...: measures the true peak of each audio file (WAV,
// FLAC, anything read_audio_file reads) with libebur128 and with our meter,
// each call repeated until it can be timed, and prints one JSON line:
//   {"files":N,"seconds_of_audio":S,"ebur128_s":A,"ours_s":B,"speedup":A/B,
//    "max_abs_diff_db":D,"worst_file":"..."}
// ebur128_s and ours_s are the seconds one measurement of every file takes
// (libebur128 in EBUR128_MODE_TRUE_PEAK alone, the cheapest way to get the
// figure from it), in CPU time of this thread, so that other processes on
// the machine weigh on both sides alike. Exit 0; 1 when a file's figures
// differ by more than 0.05 dB (or one is silence and the other not); 2 on a
// usage error or a file that cannot be read.
#include <algorithm>
#include <cmath>
#include <exception>
#include <iostream>
#include <limits>
#include <string>
#include <time.h>

#include "audio/file.hpp"
#include "audio/loudness.hpp"
#include "audio/true_peak.hpp"
#include "core/records.hpp"

namespace {

double cpu_now() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Seconds per call of measure(), the fastest of five batches of calls each
// long enough (50 ms) for the clock; *result gets the figure.
template <typename F>
double seconds_per_call(F measure, double* result) {
    double t0 = cpu_now();
    *result = measure();
    const double once = cpu_now() - t0;
    const int calls = std::max(1, static_cast<int>(0.05 / std::max(once, 1e-9)));
    double best = std::numeric_limits<double>::infinity();
    for (int batch = 0; batch < 5; ++batch) {
        t0 = cpu_now();
        for (int i = 0; i < calls; ++i) *result = measure();
        best = std::min(best, (cpu_now() - t0) / calls);
    }
    return best;
}

// |a - b| in dB; 0 when both are silence, infinite when one only is.
double diff_db(double a, double b) {
    if (a == 0.0 || b == 0.0) return a == b ? 0.0 : std::numeric_limits<double>::infinity();
    return std::fabs(20.0 * std::log10(a) - 20.0 * std::log10(b));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: true-peak-bench FILE...\n";
        return 2;
    }
    double seconds = 0, theirs_s = 0, ours_s = 0, worst = 0;
    std::string worst_file = argv[1];
    try {
        for (int i = 1; i < argc; ++i) {
            const vr::audio_buffer a = vr::read_audio_file(argv[i]);
            seconds += static_cast<double>(a.frames()) / a.sample_rate;
            double theirs = 0, ours = 0;
            theirs_s += seconds_per_call([&] { return vr::true_peak_by_libebur128(a); }, &theirs);
            ours_s += seconds_per_call([&] { return vr::true_peak(a); }, &ours);
            const double d = diff_db(ours, theirs);
            if (d > worst) {
                worst = d;
                worst_file = argv[i];
            }
        }
    } catch (const std::exception& e) {
        std::cerr << "true-peak-bench: " << e.what() << "\n";
        return 2;
    }
    vr::json out = {{"files", argc - 1},
                    {"seconds_of_audio", seconds},
                    {"ebur128_s", theirs_s},
                    {"ours_s", ours_s},
                    {"speedup", ours_s > 0 ? theirs_s / ours_s : 0.0},
                    {"max_abs_diff_db", std::isfinite(worst) ? vr::json(worst) : vr::json(nullptr)},
                    {"worst_file", worst_file}};
    std::cout << out.dump() << std::endl;
    if (!std::cout) return 2;
    return std::isfinite(worst) && worst <= 0.05 ? 0 : 1;
}
