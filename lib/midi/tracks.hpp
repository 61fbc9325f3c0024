// SPDX-License-Identifier: GPL-3.0-or-later
// A song's tracks as a job's `tracks` keys select them: by index ("2"), by
// track name ("name:bass") or by MIDI channel ("channel:10", whose events
// are taken out of whatever tracks hold them); each selection a part of
// the song that plays into instruments of its own. No JUCE here.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "midi/midi.hpp"

namespace vr {

struct track_key {
    enum class kind { index, name, channel };
    kind what = kind::index;
    int number = 0;    // the track index (0 the first), or the channel 1-16
    std::string name;  // the track name (kind::name)
    std::string text;  // the key as the job wrote it, for messages
};

// Reads "N", "name:NAME" or "channel:N" (1-16); throws record_error saying
// which forms exist.
track_key parse_track_key(std::string_view text);

// One part of a song that renders into instruments of its own.
struct track_part {
    int key = -1;            // the key (index into the keys given) that selects it; -1: none (default_track)
    int track = 0;           // the track it is named after: its own, or for a channel key the first
                             // track with notes on the channel
    std::string name;        // that track's name (a channel key's gets " chN" when its track also renders
                             // on its own)
    int channel = -1;        // 0-15: every channel message on this channel, from any track; -1: the
                             // track's events but those a channel key takes
};

struct track_selection {
    std::vector<track_part> parts;   // by track index, a track's own part before a channel's
    std::vector<int> unrendered;     // tracks with notes that no key selects and no default takes
    std::uint16_t taken_channels = 0;  // bit c: channel c (0-15) belongs to a channel key
};

// Whether a track has a note: a note-on with a velocity above 0 (a
// conductor track of tempo and names has none).
std::vector<bool> tracks_with_notes(const midi_song& song);

// Selects the song's parts: each key's, then (with_default) every track with
// notes that no key selects, else those tracks listed as unrendered. Throws
// record_error for a key that names no track (an index past the last, a name
// no track has or two tracks share, a channel without notes, a track without
// notes) and for a track two keys select (two keys of one track, or a
// track key and a channel key that takes notes from it).
track_selection select_tracks(const midi_song& song, const std::vector<track_key>& keys, bool with_default);

// The events of one part (its times and order kept), over the song's length.
midi_song part_song(const midi_song& song, const track_part& part, std::uint16_t taken_channels);

}  // namespace vr
