// SPDX-License-Identifier: GPL-3.0-or-later
// What a render plays: MIDI messages at sample positions, and how many
// frames to render. No JUCE here.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "midi/midi.hpp"
#include "midi/transport.hpp"

namespace vr {

struct timed_message {
    std::int64_t frame;                // from the start of the render
    std::vector<std::uint8_t> bytes;   // one complete message, or F0..F7 sysex
};

// tail_s "auto": after plan.frames, render on until the output has stayed
// below silence_db for hold_frames, or max_frames more were rendered.
struct silence_tail {
    double silence_db = -90.0;
    std::int64_t hold_frames = 0;
    std::int64_t max_frames = 0;
};

struct play_plan {
    std::vector<timed_message> messages;  // sorted by frame, stable
    std::int64_t frames = 0;              // frames to render (before an auto tail)
    std::optional<silence_tail> until_silence;
    // The host's tempo, time signature and position as the plugin sees them,
    // the transport playing from frame 0 (120 bpm, 4/4 unless the job says).
    transport_map transport;
};

// Seconds to whole frames, rounded to nearest.
std::int64_t seconds_to_frames(double seconds, int sample_rate);

// A note on channel 1 held for duration_s, then tail_s more.
play_plan note_plan(int note, int velocity, double duration_s, double tail_s, int sample_rate);

// A note held for duration_s, its note-off at the plan's end, then a tail
// until silence.
play_plan note_plan_until_silence(int note, int velocity, double duration_s, const silence_tail& tail,
                                  int sample_rate);

// A song's events (program changes and bank selects dropped unless
// keep_program_changes) over length_s, then tail_s more; events past the
// last frame rendered are left out.
play_plan midi_plan(const midi_song& song, double length_s, double tail_s, int sample_rate,
                    bool keep_program_changes);

// A song's events over length_s (those at its very end included), then a
// tail until silence.
play_plan midi_plan_until_silence(const midi_song& song, double length_s, const silence_tail& tail,
                                  int sample_rate, bool keep_program_changes);

}  // namespace vr
