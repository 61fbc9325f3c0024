// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vr {

struct midi_event {
    double time_s;                    // from the start of the song, tempo map applied
    std::uint8_t channel;             // 0-15; 255 for sysex
    std::vector<std::uint8_t> bytes;  // the complete message: status byte + data
                                      // (running status expanded); sysex as F0 ... F7
    int track = 0;                    // the MTrk chunk it came from, 0 the first
};

// A tempo change as the file gives it (metrical files only).
struct midi_tempo {
    double time_s;                 // from the start of the song
    double quarter;                // quarter notes from the start (ticks / division)
    std::uint32_t us_per_quarter;  // as written: 0 is possible, and refused where a tempo is needed
};

// A time signature (FF 58) as the file gives it.
struct midi_meter {
    double time_s;
    double quarter;         // quarter notes from the start; 0 in an SMPTE-timed file
    int numerator;          // as written (0 is possible)
    int denominator_power;  // the denominator is 2 to this power, as written (0-255)
};

struct midi_song {
    int format;                      // 0 or 1
    int track_count;                 // tracks actually read
    double duration_s;               // FORMATS.md's definition
    std::vector<midi_event> events;  // every channel message and sysex of every
                                     // track, merged by time; stable (track order,
                                     // then file order, at equal times)
    std::vector<std::string> track_names;  // per track: its first track-name meta
                                           // event (FF 03) as written, or empty
    bool smpte = false;                    // timed in SMPTE frames: no tempo applies
    // Tempo changes and time signatures of every track, in time order, one
    // per tick (at equal ticks, the last in the song's merged order).
    std::vector<midi_tempo> tempos;
    std::vector<midi_meter> meters;
};

// The largest file read_midi_file accepts.
inline constexpr std::size_t midi_max_file_bytes = 64u << 20;
// The most channel messages and sysex a song may hold before it is refused.
inline constexpr std::size_t midi_max_events = 10'000'000;

// What a parse keeps: every event, or only the song's length (the file is
// checked and its events counted against midi_max_events all the same, so
// both accept and refuse the same files, but `events` stays empty and
// memory does not grow with the song).
enum class midi_keep { events, duration };

// Parses a Standard MIDI File; throws vr::format_error with a message that
// starts with `name: ` and says what is wrong and where.
midi_song parse_midi(std::span<const std::uint8_t> bytes, std::string_view name,
                     midi_keep keep = midi_keep::events);

// Reads and parses a file (size cap, e.g. 64 MiB; errors name the path).
midi_song read_midi_file(const std::string& path, midi_keep keep = midi_keep::events);

}  // namespace vr
