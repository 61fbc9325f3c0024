// SPDX-License-Identifier: GPL-3.0-or-later
// What a render plays: MIDI messages at sample positions, and how many
// frames to render. No JUCE here.
#pragma once
#include <cstdint>
#include <vector>

#include "midi.hpp"

namespace vr {

struct timed_message {
    std::int64_t frame;                // from the start of the render
    std::vector<std::uint8_t> bytes;   // one complete message, or F0..F7 sysex
};

struct play_plan {
    std::vector<timed_message> messages;  // sorted by frame, stable
    std::int64_t frames = 0;
};

// Seconds to whole frames, rounded to nearest.
std::int64_t seconds_to_frames(double seconds, int sample_rate);

// A note on channel 1 held for duration_s, then tail_s more.
play_plan note_plan(int note, int velocity, double duration_s, double tail_s, int sample_rate);

// A song's events (program changes and bank selects dropped unless
// keep_program_changes) over length_s, then tail_s more; events past the
// last frame rendered are left out.
play_plan midi_plan(const midi_song& song, double length_s, double tail_s, int sample_rate,
                    bool keep_program_changes);

}  // namespace vr
