// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <vector>

namespace vr {

// Turns a Standard MIDI File's ticks into seconds, exactly: time is kept as
// an integer numerator over a fixed denominator and divided once, so long
// songs with many tempo changes stay within a microsecond.
class midi_timeline {
public:
    // Metrical time: ticks per quarter note, 500000 us per quarter until a
    // tempo change says otherwise.
    static midi_timeline metrical(std::uint32_t ticks_per_quarter);
    // SMPTE time: frames per second (24, 25, 29 meaning 29.97, or 30) and
    // ticks per frame; tempo changes do not apply.
    static midi_timeline smpte(int frames_per_second, std::uint32_t ticks_per_frame);

    // Records a tempo change (microseconds per quarter note) at a tick. Call
    // in the song's merged order (track, then file order); at equal ticks
    // the last one wins. Ignored under SMPTE time.
    void add_tempo(std::uint64_t tick, std::uint32_t us_per_quarter);

    // Seconds from the start of the song to a tick. Logarithmic in the
    // number of tempo changes.
    double seconds_at(std::uint64_t tick);

private:
    using wide = unsigned __int128;
    struct segment {
        std::uint64_t tick;  // where it starts
        wide start;          // numerator at that tick
        std::uint64_t rate;  // numerator per tick from there on
    };
    midi_timeline(std::uint64_t rate, wide denominator, bool fixed);
    void build();

    std::vector<segment> segments_;
    std::vector<std::pair<std::uint64_t, std::uint32_t>> changes_;
    std::uint64_t initial_rate_;
    wide denominator_;
    bool fixed_;
    bool built_ = false;
};

}  // namespace vr
