// SPDX-License-Identifier: GPL-3.0-or-later
#include "supervise/probe.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/seeded.hpp"

namespace vr {

play_plan probe_plan(int sample_rate) {
    const probe_note& n = the_probe_note;
    return note_plan(n.note, n.velocity, n.duration_s, n.tail_s, sample_rate);
}

play_plan disturbing_plan(int sample_rate) {
    // A short tail: the note still sounds when the reset comes.
    play_plan plan = note_plan(48, 127, 0.2, 0.02, sample_rate);
    plan.messages.insert(plan.messages.begin() + 1, {{0, {0xE0, 0x00, 0x70}}, {0, {0xB0, 0x01, 0x64}}});
    return plan;
}

audio_buffer probe_input(int sample_rate, int channels, bool disturbing) {
    audio_buffer a;
    a.channels = channels;
    a.sample_rate = sample_rate;
    const std::int64_t noise = seconds_to_frames(0.2, sample_rate);
    a.samples.assign(static_cast<std::size_t>(noise * channels), 0.0f);
    const std::uint64_t start = seeded::derive(disturbing ? 2 : 1, 0x70726F6265ULL);
    const float level = disturbing ? 0.5f : 0.25f;
    for (std::int64_t i = 0; i < noise * channels; ++i) {
        // The top 24 bits as a float in [-1, 1): exact, the same everywhere.
        auto bits = static_cast<std::int32_t>(seeded::nth(start, static_cast<std::uint64_t>(i)) >> 40) - (1 << 23);
        a.samples[static_cast<std::size_t>(i)] = level * static_cast<float>(bits) * 0x1p-23f;
    }
    return a;
}

bool same_samples(const audio_buffer& a, const audio_buffer& b) {
    return a.samples.size() == b.samples.size() &&
           std::memcmp(a.samples.data(), b.samples.data(), a.samples.size() * sizeof(float)) == 0;
}

render_difference compare_renders(const audio_buffer& a, const audio_buffer& b) {
    render_difference d;
    if (a.channels != b.channels || a.samples.size() != b.samples.size()) {
        d.same = false;
        d.shape = true;
        return d;
    }
    for (std::size_t i = 0; i < a.samples.size(); ++i) {
        const float x = a.samples[i], y = b.samples[i];
        if (std::memcmp(&x, &y, sizeof x) == 0) continue;
        if (d.same) {
            d.same = false;
            d.frame = static_cast<std::int64_t>(i / static_cast<std::size_t>(a.channels));
            d.channel = static_cast<int>(i % static_cast<std::size_t>(a.channels));
        }
        const double diff = std::fabs(static_cast<double>(x) - static_cast<double>(y));
        // NaN against a number: as large as a difference gets.
        d.largest = std::isnan(diff) ? HUGE_VAL : std::max(d.largest, diff);
    }
    return d;
}

std::string render_difference::text() const {
    if (same) return "same";
    if (shape) return "different: other lengths or channel counts";
    char buf[160];
    std::snprintf(buf, sizeof buf, "different from frame %lld, channel %d; largest difference %.3g",
                  static_cast<long long>(frame), channel, largest);
    return buf;
}

// Whether float samples (as a buffer or as bytes from a child) hold any
// non-zero sample.
bool sounds(const audio_buffer& a) {
    for (float x : a.samples)
        if (x != 0.0f) return true;
    return false;
}

bool sounds(const std::string& bytes) {
    for (std::size_t i = 0; i + sizeof(float) <= bytes.size(); i += sizeof(float)) {
        float x;
        std::memcpy(&x, bytes.data() + i, sizeof x);
        if (x != 0.0f) return true;
    }
    return false;
}

std::string to_bytes(const audio_buffer& a) {
    return std::string(reinterpret_cast<const char*>(a.samples.data()), a.samples.size() * sizeof(float));
}

bool same_bytes(const audio_buffer& a, const std::string& bytes) {
    return bytes.size() == a.samples.size() * sizeof(float) &&
           std::memcmp(a.samples.data(), bytes.data(), bytes.size()) == 0;
}

}  // namespace vr
