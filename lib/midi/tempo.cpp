// SPDX-License-Identifier: GPL-3.0-or-later
#include "midi/tempo.hpp"

#include <algorithm>

namespace vr {

midi_timeline::midi_timeline(std::uint64_t rate, wide denominator, bool fixed)
    : initial_rate_(rate), denominator_(denominator), fixed_(fixed) {}

midi_timeline midi_timeline::metrical(std::uint32_t ticks_per_quarter) {
    // seconds = sum(us_per_quarter * ticks) / (ticks_per_quarter * 1e6)
    return midi_timeline(500000, wide(ticks_per_quarter) * 1000000u, false);
}

midi_timeline midi_timeline::smpte(int frames_per_second, std::uint32_t ticks_per_frame) {
    // 29 names drop-frame timecode, 29.97 frames per second (the SMF
    // specification's figure; 107892 frames to the hour).
    if (frames_per_second == 29) return midi_timeline(100, wide(2997) * ticks_per_frame, true);
    return midi_timeline(1, wide(std::uint32_t(frames_per_second)) * ticks_per_frame, true);
}

void midi_timeline::add_tempo(std::uint64_t tick, std::uint32_t us_per_quarter) {
    if (fixed_) return;
    changes_.emplace_back(tick, us_per_quarter);
    built_ = false;
}

void midi_timeline::build() {
    // Stable, so that at equal ticks the change added last ends up last.
    std::stable_sort(changes_.begin(), changes_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    segments_.clear();
    segments_.push_back({0, 0, initial_rate_});
    for (const auto& [tick, rate] : changes_) {
        segment& last = segments_.back();
        if (tick == last.tick) {
            last.rate = rate;
            continue;
        }
        wide start = last.start + wide(last.rate) * (tick - last.tick);
        segments_.push_back({tick, start, rate});
    }
    built_ = true;
}

double midi_timeline::seconds_at(std::uint64_t tick) {
    if (!built_) build();
    auto it = std::upper_bound(segments_.begin(), segments_.end(), tick,
                               [](std::uint64_t t, const segment& s) { return t < s.tick; });
    const segment& s = *(it - 1);  // the first segment starts at tick 0
    wide numerator = s.start + wide(s.rate) * (tick - s.tick);
    wide whole = numerator / denominator_;
    wide part = numerator % denominator_;
    return static_cast<double>(whole) +
           static_cast<double>(part) / static_cast<double>(denominator_);
}

}  // namespace vr
