// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for a song's track selection (midi/tracks.hpp) and for the
// reader's track index and names it rests on.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "midi/midi.hpp"
#include "midi/tracks.hpp"

namespace {

using vr::midi_event;
using vr::midi_song;
using vr::record_error;
using vr::track_key;

midi_event note(double t, int channel, int track, int pitch = 60, int velocity = 100) {
    return {t, static_cast<std::uint8_t>(channel),
            {static_cast<std::uint8_t>(0x90 | channel), static_cast<std::uint8_t>(pitch),
             static_cast<std::uint8_t>(velocity)},
            track};
}

midi_event control(double t, int channel, int track) {
    return {t, static_cast<std::uint8_t>(channel), {static_cast<std::uint8_t>(0xB0 | channel), 7, 100}, track};
}

// conductor (no notes), bass (ch 1), lead (ch 2, with a CC), drums (ch 10),
// and "keys" playing on channels 3 and 10.
midi_song band() {
    midi_song s;
    s.format = 1;
    s.track_count = 5;
    s.track_names = {"conductor", "bass", "lead", "drums", "keys"};
    s.duration_s = 4;
    s.events = {note(0, 0, 1), control(0.5, 1, 2), note(1, 1, 2), note(2, 9, 3), note(2.5, 2, 4), note(3, 9, 4)};
    return s;
}

std::vector<track_key> keys(std::initializer_list<const char*> texts) {
    std::vector<track_key> out;
    for (const char* t : texts) out.push_back(vr::parse_track_key(t));
    return out;
}

std::string error_of(const std::vector<track_key>& k, bool with_default) {
    try {
        vr::select_tracks(band(), k, with_default);
    } catch (const record_error& e) {
        return e.what();
    }
    return "";
}

TEST(TrackKeys, IndexNameAndChannelParse) {
    auto k = vr::parse_track_key("12");
    EXPECT_EQ(k.what, track_key::kind::index);
    EXPECT_EQ(k.number, 12);
    k = vr::parse_track_key("name:lead synth");
    EXPECT_EQ(k.what, track_key::kind::name);
    EXPECT_EQ(k.name, "lead synth");
    k = vr::parse_track_key("channel:10");
    EXPECT_EQ(k.what, track_key::kind::channel);
    EXPECT_EQ(k.number, 10);
}

TEST(TrackKeys, MalformedKeysAreRefusedSayingTheForms) {
    for (const char* bad : {"", "-1", "x", "2a", "channel:0", "channel:17", "channel:", "name:", "Name:bass"})
        EXPECT_THROW(vr::parse_track_key(bad), record_error) << bad;
    try {
        vr::parse_track_key("bass");
    } catch (const record_error& e) {
        EXPECT_STREQ(e.what(), "tracks: key 'bass' is not a track index (\"2\"), \"name:NAME\" or \"channel:N\" (1-16)");
    }
}

TEST(TrackSelection, KeysByIndexNameAndChannelGiveOnePartEach) {
    auto sel = vr::select_tracks(band(), keys({"1", "name:lead", "channel:10"}), false);
    ASSERT_EQ(sel.parts.size(), 3u);
    // By track: bass, lead, then the channel's part named after its first track (drums).
    EXPECT_EQ(sel.parts[0].track, 1);
    EXPECT_EQ(sel.parts[0].key, 0);
    EXPECT_EQ(sel.parts[1].track, 2);
    EXPECT_EQ(sel.parts[1].name, "lead");
    EXPECT_EQ(sel.parts[2].track, 3);
    EXPECT_EQ(sel.parts[2].name, "drums");
    EXPECT_EQ(sel.parts[2].channel, 9);
    EXPECT_EQ(sel.taken_channels, 1u << 9);
    // keys' channel-3 note is left: no default, so it is unrendered; the
    // conductor has no notes and is not a track to render.
    EXPECT_EQ(sel.unrendered, std::vector<int>{4});
}

TEST(TrackSelection, TheDefaultTakesWhatNoKeySelects) {
    auto sel = vr::select_tracks(band(), keys({"channel:10"}), true);
    ASSERT_EQ(sel.parts.size(), 4u);
    EXPECT_TRUE(sel.unrendered.empty());
    std::vector<int> tracks, key;
    for (const auto& p : sel.parts) {
        tracks.push_back(p.track);
        key.push_back(p.key);
    }
    EXPECT_EQ(tracks, (std::vector<int>{1, 2, 3, 4}));
    EXPECT_EQ(key, (std::vector<int>{-1, -1, 0, -1}));
}

TEST(TrackSelection, AChannelKeyTakesItsEventsOutOfEveryTrack) {
    const midi_song song = band();
    auto sel = vr::select_tracks(song, keys({"channel:10"}), true);
    const auto& drums = sel.parts[2];
    auto mine = vr::part_song(song, drums, sel.taken_channels);
    ASSERT_EQ(mine.events.size(), 2u);  // drums' and keys' notes on channel 10
    EXPECT_EQ(mine.events[0].track, 3);
    EXPECT_EQ(mine.events[1].track, 4);
    EXPECT_DOUBLE_EQ(mine.duration_s, 4);
    auto keys_part = vr::part_song(song, sel.parts[3], sel.taken_channels);
    ASSERT_EQ(keys_part.events.size(), 1u);  // its channel-3 note only
    EXPECT_EQ(keys_part.events[0].channel, 2);
    auto lead = vr::part_song(song, sel.parts[1], sel.taken_channels);
    EXPECT_EQ(lead.events.size(), 2u);  // its control change travels with it
}

TEST(TrackSelection, TwoChannelPartsOfOneTrackAreNamedByChannel) {
    midi_song s;
    s.format = 0;
    s.track_count = 1;
    s.track_names = {"piano"};
    s.duration_s = 1;
    s.events = {note(0, 0, 0), note(0, 9, 0)};
    auto sel = vr::select_tracks(s, keys({"channel:10", "channel:1"}), false);
    ASSERT_EQ(sel.parts.size(), 2u);
    EXPECT_EQ(sel.parts[0].name, "piano ch1");
    EXPECT_EQ(sel.parts[1].name, "piano ch10");
}

TEST(TrackSelection, ATrackSelectedByTwoKeysIsAnError) {
    EXPECT_EQ(error_of(keys({"1", "name:bass"}), false),
              "tracks: track 1 'bass' is selected by two keys, '1' and 'name:bass'");
    EXPECT_EQ(error_of(keys({"3", "channel:10"}), false),
              "tracks: track 3 'drums' is selected by two keys, 'channel:10' and '3' (its notes on channel 10)");
    EXPECT_EQ(error_of(keys({"channel:10", "channel:010"}), false),
              "tracks: channel 10 is selected by two keys, 'channel:10' and 'channel:010'");
}

TEST(TrackSelection, AKeyNamingNoTrackIsAnError) {
    const std::string listing =
        " (the file has track 0 'conductor', track 1 'bass', track 2 'lead', track 3 'drums', track 4 'keys')";
    EXPECT_EQ(error_of(keys({"name:flute"}), false), "tracks: key 'name:flute' names no track" + listing);
    EXPECT_EQ(error_of(keys({"5"}), false), "tracks: key '5' names no track" + listing);
    EXPECT_EQ(error_of(keys({"channel:16"}), false),
              "tracks: key 'channel:16' names no track: no notes on channel 16" + listing);
    EXPECT_EQ(error_of(keys({"0"}), false), "tracks: key '0' selects track 0 'conductor', which has no notes");
}

TEST(TrackSelection, ANameTwoTracksShareMustBeSelectedByIndex) {
    midi_song s = band();
    s.track_names[2] = "bass";
    try {
        vr::select_tracks(s, keys({"name:bass"}), false);
        FAIL();
    } catch (const record_error& e) {
        EXPECT_STREQ(e.what(), "tracks: key 'name:bass' names two tracks, 1 and 2: select them by index");
    }
}

TEST(TrackSelection, ANoteOffAsVelocityZeroIsNoNote) {
    midi_song s = band();
    s.events.push_back(note(0, 5, 0, 60, 0));  // the conductor's "note" of velocity 0
    EXPECT_EQ(vr::tracks_with_notes(s), (std::vector<bool>{false, true, true, true, true}));
}

TEST(MidiTracks, TheReaderKeepsEachEventsTrackAndEachTracksName) {
    // Two tracks: a named conductor with a tempo, then "Bass" with one note.
    const std::vector<std::uint8_t> file{
        'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1, 0, 2, 0x01, 0xE0,
        'M', 'T', 'r', 'k', 0, 0, 0, 18, 0, 0xFF, 0x03, 3, 'C', 'o', 'n', 0, 0xFF, 0x51, 3, 0x07, 0xA1, 0x20,
        0, 0xFF, 0x2F, 0,
        'M', 'T', 'r', 'k', 0, 0, 0, 20, 0, 0xFF, 0x03, 4, 'B', 'a', 's', 's', 0, 0x90, 40, 100, 0x60, 0x80, 40, 0,
        0, 0xFF, 0x2F, 0};
    auto song = vr::parse_midi(file, "two.mid");
    EXPECT_EQ(song.track_names, (std::vector<std::string>{"Con", "Bass"}));
    ASSERT_EQ(song.events.size(), 2u);
    EXPECT_EQ(song.events[0].track, 1);
    EXPECT_EQ(song.events[1].track, 1);
}

}  // namespace
