// SPDX-License-Identifier: GPL-3.0-or-later
#include "midi/song_meta.hpp"

#include <algorithm>

namespace vr {

void put_meta(midi_song& song, song_meta meta, midi_timeline& timeline, std::uint16_t division) {
    song.smpte = (division & 0x8000) != 0;
    const double per_quarter = song.smpte ? 0.0 : static_cast<double>(division);
    auto quarter = [&](std::uint64_t tick) { return song.smpte ? 0.0 : static_cast<double>(tick) / per_quarter; };
    auto by_tick = [](const auto& a, const auto& b) { return a.first < b.first; };
    std::stable_sort(meta.tempos.begin(), meta.tempos.end(), by_tick);
    if (!song.smpte)
        for (const auto& [tick, us] : meta.tempos) {
            if (!song.tempos.empty() && song.tempos.back().quarter == quarter(tick)) song.tempos.pop_back();
            song.tempos.push_back({timeline.seconds_at(tick), quarter(tick), us});
        }
    std::stable_sort(meta.meters.begin(), meta.meters.end(),
                     [](const raw_meter& a, const raw_meter& b) { return a.tick < b.tick; });
    std::uint64_t last = 0;
    for (const auto& m : meta.meters) {
        if (!song.meters.empty() && last == m.tick) song.meters.pop_back();
        song.meters.push_back({timeline.seconds_at(m.tick), quarter(m.tick), m.numerator, m.denominator_power});
        last = m.tick;
    }
}

}  // namespace vr
