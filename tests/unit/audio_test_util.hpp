// SPDX-License-Identifier: GPL-3.0-or-later
// Helpers shared by the audio unit tests.
#pragma once
#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <string>
#include <system_error>
#include <unistd.h>
#include <vector>

#include "audio/file.hpp"
#include "core/files.hpp"

namespace vr::test {

// A fresh folder under the system's temporary folder, removed (permissions
// restored first) when the test ends.
class scratch_dir {
public:
    scratch_dir() {
        static std::atomic<int> n{0};
        dir_ = std::filesystem::temp_directory_path() /
               ("vr-audio-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
    }
    ~scratch_dir() {
        std::error_code ec;
        for (auto& e : std::filesystem::recursive_directory_iterator(dir_, ec))
            if (e.is_directory(ec))
                std::filesystem::permissions(e.path(), std::filesystem::perms::owner_all,
                                             std::filesystem::perm_options::add, ec);
        std::filesystem::remove_all(dir_, ec);
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;

    std::string path() const { return dir_.string(); }
    std::string file(const std::string& name) const { return (dir_ / name).string(); }

private:
    std::filesystem::path dir_;
};

// The names in a folder (not recursive), sorted.
inline std::vector<std::string> names_in(const std::string& dir) {
    std::vector<std::string> out;
    for (auto& e : std::filesystem::directory_iterator(dir))
        out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

inline std::vector<std::uint8_t> bytes_of(const std::string& path) {
    return vr::read_file(path, std::size_t{1} << 30);
}

// Two tones per channel, a little deterministic noise (so that every sample
// needs its quantisation), and exact full scale in the first two samples.
inline vr::audio_buffer test_signal(int channels, int rate, std::size_t frames) {
    vr::audio_buffer a;
    a.channels = channels;
    a.sample_rate = rate;
    a.samples.resize(frames * static_cast<std::size_t>(channels));
    std::uint32_t seed = 12345;
    const double pi = std::acos(-1.0);
    for (std::size_t i = 0; i < frames; ++i)
        for (int c = 0; c < channels; ++c) {
            seed = seed * 1664525u + 1013904223u;
            double noise = (seed >> 8) / double(1 << 24) - 0.5;
            double t = double(i) / (rate > 0 ? rate : 48000);
            a.samples[i * channels + c] =
                static_cast<float>(0.5 * std::sin(2 * pi * 440 * t + c) +
                                   0.25 * std::sin(2 * pi * 1234.5 * (c + 1) * t) + 0.01 * noise);
        }
    if (a.samples.size() >= 2) a.samples[0] = 1.0f, a.samples[1] = -1.0f;
    return a;
}

}  // namespace vr::test
