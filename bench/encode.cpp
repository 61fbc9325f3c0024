// SPDX-License-Identifier: GPL-3.0-or-later
// encode-bench [--flac-level N] [--as wav|flac] [--sample-format F]
//              [--passes N] FILE...: reads the audio files (a batch's
// outputs), then times our encoder (sndfile_encode, the call render-one's
// write_audio_file makes) on them, into memory, not to disk: the encoder's
// share of a job, timed alone on the same audio. Prints one JSON line:
//   {"files":N,"encode_s":S,"bytes":B}
// encode_s: the seconds one pass over every file takes, the median of
// --passes passes (5) after one untimed pass; bytes: one pass's output.
// Each file is encoded to the container its extension names unless --as
// picks one. Exit 0; 2 on a usage error or a file that cannot be read or
// encoded.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "audio/file.hpp"
#include "audio/sndfile.hpp"
#include "core/records.hpp"

namespace {

using steady = std::chrono::steady_clock;

struct input {
    std::string path;
    vr::audio_buffer audio;
    vr::audio_container container;
};

int usage(const std::string& why) {
    std::cerr << "encode-bench: " << why
              << "\nusage: encode-bench [--flac-level N] [--as wav|flac] [--sample-format F] "
                 "[--passes N] FILE...\n";
    return 2;
}

// One pass: every file encoded once; returns the bytes written.
std::size_t encode_all(const std::vector<input>& inputs, vr::sample_format fmt, int flac_level) {
    std::size_t bytes = 0;
    for (const input& in : inputs)
        bytes += vr::sndfile_encode(in.audio, in.container, fmt, in.path, flac_level).size();
    return bytes;
}

}  // namespace

int main(int argc, char** argv) {
    int flac_level = vr::default_flac_level;
    int passes = 5;
    std::string as;
    vr::sample_format fmt = vr::sample_format::pcm24;  // render-one's default
    std::vector<std::string> files;
    try {
        for (int i = 1; i < argc; ++i) {
            const std::string_view arg = argv[i];
            const bool has_value = i + 1 < argc;
            if (arg == "--flac-level" && has_value) {
                flac_level = std::stoi(argv[++i]);
            } else if (arg == "--passes" && has_value) {
                passes = std::stoi(argv[++i]);
            } else if (arg == "--as" && has_value) {
                as = argv[++i];
            } else if (arg == "--sample-format" && has_value) {
                fmt = vr::parse_sample_format(argv[++i]);
            } else if (arg.starts_with("--")) {
                return usage("unknown option or missing value: " + std::string(arg));
            } else {
                files.emplace_back(arg);
            }
        }
    } catch (const std::exception& e) {
        return usage(e.what());
    }
    if (files.empty()) return usage("no files");
    if (passes < 1) return usage("--passes must be at least 1");
    if (flac_level < vr::min_flac_level || flac_level > vr::max_flac_level)
        return usage("--flac-level must be 0-8");
    if (!as.empty() && as != "wav" && as != "flac") return usage("--as takes wav or flac");

    std::vector<input> inputs;
    std::size_t bytes = 0;
    std::vector<double> seconds;
    try {
        for (const std::string& f : files) {
            const vr::audio_container c = vr::container_of(as.empty() ? f : "x." + as);
            inputs.push_back({f, vr::read_audio_file(f), c});
        }
        bytes = encode_all(inputs, fmt, flac_level);  // untimed: caches and allocator warm
        for (int p = 0; p < passes; ++p) {
            const auto t0 = steady::now();
            encode_all(inputs, fmt, flac_level);
            seconds.push_back(std::chrono::duration<double>(steady::now() - t0).count());
        }
    } catch (const std::exception& e) {
        std::cerr << "encode-bench: " << e.what() << "\n";
        return 2;
    }
    std::sort(seconds.begin(), seconds.end());
    const double median = seconds.size() % 2 ? seconds[seconds.size() / 2]
                                             : (seconds[seconds.size() / 2 - 1] + seconds[seconds.size() / 2]) / 2;
    std::cout << vr::json{{"files", inputs.size()}, {"encode_s", median}, {"bytes", bytes}}.dump() << std::endl;
    return std::cout ? 0 : 2;
}
