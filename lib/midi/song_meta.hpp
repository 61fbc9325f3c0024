// SPDX-License-Identifier: GPL-3.0-or-later
// A song's tempo changes and time signatures as the MIDI reader meets them
// in its tracks, then put in time order into the song (midi/midi.hpp).
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "midi/midi.hpp"
#include "midi/tempo.hpp"

namespace vr {

// Tempo changes and time signatures by tick, as read: (tick, us per quarter)
// and (tick, numerator, denominator's power of two).
struct raw_meter {
    std::uint64_t tick;
    int numerator;
    int denominator_power;
};
struct song_meta {
    std::vector<std::pair<std::uint64_t, std::uint32_t>> tempos;
    std::vector<raw_meter> meters;
};

// Puts them into song.tempos and song.meters, in time order, one per tick:
// at equal ticks the last read wins, as in the timeline. division is the
// header's (SMPTE time: no tempo, and no quarter notes).
void put_meta(midi_song& song, song_meta meta, midi_timeline& timeline, std::uint16_t division);

}  // namespace vr
