// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for the Standard MIDI File reader: every fixture of the INDEX,
// then small hand-built files for each quirk and each way a file can break.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "fixtures.hpp"
#include "midi/midi.hpp"
#include "smf_builder.hpp"

namespace {

namespace fs = std::filesystem;
using vr_test::byte_vector;
using vr_test::chunk;
using vr_test::end_of_track;
using vr_test::smf;
using vr_test::with_end;
using vr_test::append_be;

fs::path midi_fixtures() { return vr_test::fixtures() / "midi"; }
using vr_test::split;

// The message parse_midi refuses the file with, or "(no error)".
std::string error_of(const byte_vector& file, const char* name = "t.mid") {
    return vr_test::error_message<vr::format_error>([&] { vr::parse_midi(file, name); });
}

TEST(Midi, EveryIndexedFixtureGivesItsExpectedDurationOrIsRefused) {
    fs::path dir = midi_fixtures();
    std::ifstream index(dir / "INDEX.tsv");
    ASSERT_TRUE(index) << "cannot open " << (dir / "INDEX.tsv");
    std::string line;
    std::getline(index, line);
    auto header = split(line, '\t');
    auto column = [&](const char* name) {
        auto it = std::find(header.begin(), header.end(), name);
        return static_cast<std::size_t>(it - header.begin());
    };
    std::size_t path_col = column("path"), expected_col = column("expected");
    ASSERT_LT(expected_col, header.size());
    int rows = 0, durations = 0, refusals = 0;
    while (std::getline(index, line)) {
        if (line.empty()) continue;
        auto cells = split(line, '\t');
        ASSERT_GT(cells.size(), std::max(path_col, expected_col)) << line;
        std::string path = (dir / "files" / cells[path_col]).string();
        std::string expected = cells[expected_col];
        SCOPED_TRACE(cells[path_col] + " expected " + expected);
        ++rows;
        std::optional<vr::midi_song> song;
        std::string error;
        try {
            song = vr::read_midi_file(path);
        } catch (const vr::record_error& e) {
            error = e.what();
        }
        // The duration-only parse (midi-duration's) accepts and refuses the
        // same files, with the same length or the same message, keeping no events.
        std::string short_error;
        try {
            auto brief = vr::read_midi_file(path, vr::midi_keep::duration);
            EXPECT_TRUE(song) << "only the duration-only parse accepted it";
            if (song) {
                EXPECT_EQ(brief.duration_s, song->duration_s);
            }
            EXPECT_TRUE(brief.events.empty());
        } catch (const vr::record_error& e) {
            short_error = e.what();
        }
        EXPECT_EQ(short_error, error);
        if (expected == "error") {
            if (song) ADD_FAILURE() << "parsed, duration " << song->duration_s;
            EXPECT_EQ(error.rfind(path + ": ", 0), 0u) << error;
            EXPECT_GT(error.size(), path.size() + 10) << error;
            ++refusals;
            continue;
        }
        auto colon = expected.find(':');
        ASSERT_NE(colon, std::string::npos);
        std::string kind = expected.substr(0, colon);
        double seconds = std::stod(expected.substr(colon + 1));
        ASSERT_TRUE(kind == "duration" || kind == "either") << kind;
        if (kind == "duration") {
            EXPECT_TRUE(song) << error;
        }
        if (song) {
            EXPECT_NEAR(song->duration_s, seconds, 1e-6);
            EXPECT_GE(song->track_count, 1);
            EXPECT_TRUE(song->format == 0 || song->format == 1);
            bool ordered = std::is_sorted(song->events.begin(), song->events.end(),
                                          [](const auto& a, const auto& b) { return a.time_s < b.time_s; });
            EXPECT_TRUE(ordered);
            if (!song->events.empty()) {
                EXPECT_LE(song->events.back().time_s, song->duration_s);
            }
            ++durations;
        } else {
            EXPECT_EQ(error.rfind(path + ": ", 0), 0u) << error;
        }
    }
    EXPECT_GE(rows, 130);
    EXPECT_GE(durations, 120);
    EXPECT_EQ(refusals, 6);
}

TEST(Midi, ReadsTimesOfAKnownFile) {
    auto song = vr::read_midi_file((midi_fixtures() / "files/jazz-soft-test-midi-files/test-c-major-scale.mid").string());
    EXPECT_EQ(song.format, 0);
    EXPECT_EQ(song.track_count, 1);
    EXPECT_DOUBLE_EQ(song.duration_s, 4.0);
    // C D E F G A B C, one every half second (96 ticks at 120 bpm), each
    // released half a second later.
    std::vector<std::pair<double, byte_vector>> on;
    for (const auto& e : song.events)
        if ((e.bytes[0] & 0xF0) == 0x90 && e.bytes[2] > 0) on.emplace_back(e.time_s, e.bytes);
    ASSERT_EQ(on.size(), 8u);
    EXPECT_DOUBLE_EQ(on[0].first, 0.0);
    EXPECT_EQ(on[0].second, (byte_vector{0x90, 0x3C, 0x7F}));
    EXPECT_DOUBLE_EQ(on[2].first, 1.0);
    EXPECT_EQ(on[2].second[1], 0x40);
    EXPECT_DOUBLE_EQ(on[7].first, 3.5);
    EXPECT_EQ(on[7].second[1], 0x48);
}

TEST(Midi, KeepsRunningStatusAcrossMetaAndSysexEvents) {
    auto file = smf(0, 96, {with_end({0x00, 0x90, 0x3C, 0x40,               // note on
                                      0x00, 0xFF, 0x01, 0x02, 'h', 'i',     // text
                                      0x30, 0x3E, 0x41,                     // running status
                                      0x00, 0xF0, 0x03, 0x7E, 0x00, 0xF7,   // sysex
                                      0x30, 0x3C, 0x00})});                 // running status
    auto song = vr::parse_midi(file, "t.mid");
    ASSERT_EQ(song.events.size(), 4u);
    EXPECT_EQ(song.events[1].bytes, (byte_vector{0x90, 0x3E, 0x41}));
    EXPECT_DOUBLE_EQ(song.events[1].time_s, 0.25);
    EXPECT_EQ(song.events[2].bytes, (byte_vector{0xF0, 0x7E, 0x00, 0xF7}));
    EXPECT_EQ(song.events[2].channel, 255);
    EXPECT_EQ(song.events[3].bytes, (byte_vector{0x90, 0x3C, 0x00}));
    EXPECT_DOUBLE_EQ(song.events[3].time_s, 0.5);
    EXPECT_DOUBLE_EQ(song.duration_s, 0.5);
}

TEST(Midi, AppliesATempoChangeFoundInALaterTrack) {
    // Track 1 plays at ticks 96 and 192; track 2 halves the quarter note at 96.
    auto file = smf(1, 96,
                    {with_end({0x60, 0x91, 0x40, 0x64, 0x60, 0x81, 0x40, 0x00}),
                     with_end({0x60, 0xFF, 0x51, 0x03, 0x03, 0xD0, 0x90})});  // 250000 us
    auto song = vr::parse_midi(file, "t.mid");
    EXPECT_EQ(song.format, 1);
    EXPECT_EQ(song.track_count, 2);
    ASSERT_EQ(song.events.size(), 2u);
    EXPECT_EQ(song.events[0].channel, 1);
    EXPECT_DOUBLE_EQ(song.events[0].time_s, 0.5);
    EXPECT_DOUBLE_EQ(song.events[1].time_s, 0.75);
    EXPECT_DOUBLE_EQ(song.duration_s, 0.75);
}

TEST(Midi, DurationIsTheLastEndOfTrackOfAnyTrack) {
    // The notes end at 0.5 s; the second track's end-of-track comes at 2 s.
    auto file = smf(1, 96,
                    {with_end({0x00, 0x90, 0x40, 0x64, 0x60, 0x80, 0x40, 0x00}),
                     {0x83, 0x00, 0xFF, 0x2F, 0x00}});
    EXPECT_DOUBLE_EQ(vr::parse_midi(file, "t.mid").duration_s, 2.0);
}

TEST(Midi, MergesTracksStablyAtEqualTimes) {
    auto file = smf(1, 96,
                    {with_end({0x00, 0xB0, 0x07, 0x01, 0x00, 0xB0, 0x07, 0x02, 0x60, 0xB0, 0x07, 0x05}),
                     with_end({0x00, 0xB1, 0x07, 0x03, 0x60, 0xB1, 0x07, 0x06}),
                     with_end({0x00, 0xB2, 0x07, 0x04})});
    auto song = vr::parse_midi(file, "t.mid");
    std::vector<int> order;
    for (const auto& e : song.events) order.push_back(e.bytes[2]);
    EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4, 5, 6}));
}

TEST(Midi, ReadsSmpteDivisions) {
    // -25 fps, 40 ticks per frame: 1000 ticks per second.
    auto song = vr::parse_midi(smf(0, 0xE728, {with_end({0x83, 0x74, 0x90, 0x3C, 0x40})}), "t.mid");
    EXPECT_DOUBLE_EQ(song.events.at(0).time_s, 0.5);
    // A tempo event does not change SMPTE time.
    song = vr::parse_midi(smf(0, 0xE728, {with_end({0x00, 0xFF, 0x51, 0x03, 0x0F, 0x42, 0x40,
                                                    0x83, 0x74, 0x90, 0x3C, 0x40})}),
                          "t.mid");
    EXPECT_DOUBLE_EQ(song.duration_s, 0.5);
    // -29 is drop-frame, 29.97 frames per second: 2997 ticks of 100 per frame are 1 s.
    song = vr::parse_midi(smf(0, 0xE364, {{0x97, 0x35, 0xFF, 0x2F, 0x00}}), "t.mid");
    EXPECT_NEAR(song.duration_s, 1.0, 1e-12);
    EXPECT_NE(error_of(smf(0, 0xE428, {end_of_track})).find("28 frames per second"), std::string::npos);
    EXPECT_NE(error_of(smf(0, 0xE700, {end_of_track})).find("0 ticks per frame"), std::string::npos);
}

TEST(Midi, KeepsLongSongsExactToTheMicrosecond) {
    // 20000 tempo changes of 333333 us per quarter, one every 7 ticks at
    // 19200 per quarter: float accumulation would drift; this must not.
    byte_vector events;
    for (int i = 0; i < 20000; ++i)
        events.insert(events.end(), {0x07, 0xFF, 0x51, 0x03, 0x05, 0x16, 0x15});
    auto song = vr::parse_midi(smf(0, 19200, {with_end(events)}), "t.mid");
    // 7 ticks at 500000 us, then 139993 ticks at 333333 us, over 19200e6.
    long double exact = (7.0L * 500000 + 139993.0L * 333333) / 19200e6L;
    EXPECT_NEAR(song.duration_s, static_cast<double>(exact), 1e-9);
}

TEST(Midi, RefusesFormat2AndUnknownFormats) {
    auto message = error_of(smf(2, 96, {end_of_track, end_of_track}), "two.mid");
    EXPECT_EQ(message.rfind("two.mid: ", 0), 0u);
    EXPECT_NE(message.find("format 2"), std::string::npos) << message;
    EXPECT_NE(error_of(smf(3, 96, {end_of_track})).find("format 3"), std::string::npos);
}

TEST(Midi, RefusesWhatIsNotAMidiFile) {
    EXPECT_EQ(error_of({}), "t.mid: empty file, not a Standard MIDI File");
    EXPECT_NE(error_of({'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E'}).find("not RIFF MIDI"),
              std::string::npos);
    EXPECT_NE(error_of({'I', 'D', '3', 4, 0, 0}).find("no MThd"), std::string::npos);
    EXPECT_NE(error_of(smf(0, 0, {end_of_track})).find("division of 0"), std::string::npos);
    EXPECT_NE(error_of(smf(0, 0, 96, {})).find("declares no tracks"), std::string::npos);
    EXPECT_NE(error_of(smf(0, 1, 96, {})).find("no MTrk chunk"), std::string::npos);
}

TEST(Midi, ReportsTruncationAtTheByteWhereItHappens) {
    auto file = smf(0, 96, {with_end({0x00, 0x90, 0x3C, 0x40, 0x60, 0x80, 0x3C, 0x00})});
    EXPECT_EQ(error_of(byte_vector(file.begin(), file.begin() + 12)),
              "t.mid: truncated at byte 12: division needs 2 bytes, 0 left");
    // Cut anywhere inside the header: refused. Cut inside the last track (a
    // download that stopped): the complete events before the cut are the song.
    for (std::size_t n = 0; n < file.size(); ++n) {
        byte_vector cut(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(n));
        SCOPED_TRACE("cut at byte " + std::to_string(n));
        if (n < 22) {
            EXPECT_EQ(error_of(cut).rfind("t.mid: ", 0), 0u);
            continue;
        }
        auto song = vr::parse_midi(cut, "t.mid");
        std::size_t complete = n >= 30 ? 2 : n >= 26 ? 1 : 0;
        EXPECT_EQ(song.events.size(), complete);
        EXPECT_DOUBLE_EQ(song.duration_s, n >= 30 ? 0.5 : 0.0);
    }
}

TEST(Midi, RefusesAnEventThatOverrunsACompleteTrackChunk) {
    // The chunk says 6 bytes, the file has more after it: a broken length.
    byte_vector file = smf(0, 96, {});
    file[11] = 1;
    auto track = chunk("MTrk", {0x00, 0x90, 0x3C, 0x40, 0x00, 0xFF, 0x2F, 0x00}, 6);
    file.insert(file.end(), track.begin(), track.end());
    file.insert(file.end(), {0, 0, 0, 0});
    EXPECT_EQ(error_of(file), "t.mid: track 1: truncated at byte 28: meta event type needs 1 bytes, 0 left");
}

TEST(Midi, ResistsHostileLengths) {
    // A meta event claiming 256 MiB in a small complete chunk.
    auto message = error_of(smf(0, 96, {{0x00, 0xFF, 0x01, 0xFF, 0xFF, 0xFF, 0x7F, 0x00}}));
    EXPECT_NE(message.find("track 1: truncated at byte"), std::string::npos) << message;
    // A variable-length number of 5 bytes.
    message = error_of(smf(0, 96, {{0x81, 0x81, 0x81, 0x81, 0x01, 0x90, 0x3C, 0x40}}));
    EXPECT_NE(message.find("byte 22: delta time is a variable-length number longer than 4 bytes"),
              std::string::npos)
        << message;
    // A data byte where the first status byte should be.
    message = error_of(smf(0, 96, {{0x00, 0x3C, 0x40}}));
    EXPECT_NE(message.find("byte 23: data byte 0x3C where a status byte was expected"), std::string::npos)
        << message;
    // A track whose declared length runs 4 GiB past the end of the file: the
    // bytes that are there are read, nothing is allocated for the rest.
    byte_vector file = smf(0, 96, {});
    file[11] = 1;
    auto track = chunk("MTrk", with_end({0x00, 0x90, 0x3C, 0x40}), 0xFFFFFFFF);
    file.insert(file.end(), track.begin(), track.end());
    EXPECT_EQ(vr::parse_midi(file, "t.mid").events.size(), 1u);
    // A tempo event too short to hold a tempo.
    message = error_of(smf(0, 96, {with_end({0x00, 0xFF, 0x51, 0x02, 0x07, 0xA1})}));
    EXPECT_NE(message.find("tempo event with 2 data bytes"), std::string::npos) << message;
}

TEST(Midi, AcceptsTheQuirksOfRealFiles) {
    // Velocity 255 and controller value 200: read as 127.
    auto song = vr::parse_midi(smf(0, 96, {with_end({0x00, 0x90, 0x3C, 0xFF, 0x00, 0xB0, 0x07, 0xC8})}), "t.mid");
    ASSERT_EQ(song.events.size(), 2u);
    EXPECT_EQ(song.events[0].bytes, (byte_vector{0x90, 0x3C, 0x7F}));
    EXPECT_EQ(song.events[1].bytes, (byte_vector{0xB0, 0x07, 0x7F}));
    // Undefined and system status bytes are read past and left out; running
    // status goes on after them.
    song = vr::parse_midi(smf(0, 96, {with_end({0x00, 0x90, 0x3C, 0x40, 0x00, 0xF4, 0x00, 0xF9, 0x00,
                                                0xF2, 0x01, 0x02, 0x00, 0xF1, 0x05, 0x00, 0xFE,
                                                0x60, 0x3C, 0x00})}),
                          "t.mid");
    ASSERT_EQ(song.events.size(), 2u);
    EXPECT_EQ(song.events[1].bytes, (byte_vector{0x90, 0x3C, 0x00}));
    EXPECT_DOUBLE_EQ(song.events[1].time_s, 0.5);
    // The header says 3 tracks, the file holds 1 and then garbage.
    auto file = smf(1, 3, 96, {with_end({0x60, 0x90, 0x3C, 0x40})});
    file.insert(file.end(), {0x00, 0x01, 0x02});
    song = vr::parse_midi(file, "t.mid");
    EXPECT_EQ(song.track_count, 1);
    EXPECT_DOUBLE_EQ(song.duration_s, 0.5);
    // The header says 1 track, 2 follow: the second is not read.
    song = vr::parse_midi(smf(1, 1, 96, {with_end({0x60, 0x90, 0x3C, 0x40}), {0x83, 0x00, 0xFF, 0x2F, 0x00}}),
                          "t.mid");
    EXPECT_EQ(song.track_count, 1);
    EXPECT_DOUBLE_EQ(song.duration_s, 0.5);
    // A chunk of another type before the track is passed over; a track
    // without end-of-track ends at its last event; events after
    // end-of-track are not read.
    file = smf(0, 0, 96, {});
    file[11] = 1;
    auto alien = chunk("XFIH", {1, 2, 3});
    auto track = chunk("MTrk", {0x60, 0x90, 0x3C, 0x40});
    file.insert(file.end(), alien.begin(), alien.end());
    file.insert(file.end(), track.begin(), track.end());
    EXPECT_DOUBLE_EQ(vr::parse_midi(file, "t.mid").duration_s, 0.5);
    song = vr::parse_midi(smf(0, 96, {{0x00, 0xFF, 0x2F, 0x00, 0x60, 0x90, 0x3C, 0x40}}), "t.mid");
    EXPECT_TRUE(song.events.empty());
    EXPECT_DOUBLE_EQ(song.duration_s, 0.0);
    // Ticks per quarter of 19200.
    song = vr::parse_midi(smf(0, 19200, {{0x81, 0x96, 0x00, 0xFF, 0x2F, 0x00}}), "t.mid");
    EXPECT_DOUBLE_EQ(song.duration_s, 0.5);
}

TEST(Midi, JoinsADividedSysexAndClosesAnUnfinishedOne) {
    auto song = vr::parse_midi(smf(0, 96, {with_end({0x00, 0xF0, 0x03, 0x43, 0x12, 0x00,
                                                     0x10, 0xF7, 0x02, 0x34, 0xF7,
                                                     0x00, 0xF7, 0x01, 0xF8,  // an escape
                                                     0x00, 0xF0, 0x02, 0x41, 0x10,
                                                     0x00, 0x90, 0x3C, 0x40})}),
                               "t.mid");
    ASSERT_EQ(song.events.size(), 3u);
    EXPECT_EQ(song.events[0].bytes, (byte_vector{0xF0, 0x43, 0x12, 0x00, 0x34, 0xF7}));
    EXPECT_DOUBLE_EQ(song.events[0].time_s, 0.0);
    EXPECT_EQ(song.events[1].bytes, (byte_vector{0xF0, 0x41, 0x10, 0xF7}));
    EXPECT_EQ(song.events[2].bytes, (byte_vector{0x90, 0x3C, 0x40}));
}

TEST(Midi, ReadsARiffMidiWrapper) {
    auto inner = smf(0, 96, {with_end({0x60, 0x90, 0x3C, 0x40})});
    byte_vector file{'R', 'I', 'F', 'F', 0, 0, 0, 0, 'R', 'M', 'I', 'D', 'L', 'I', 'S', 'T', 1, 0, 0, 0, 9, 0};
    for (std::uint8_t b : {'d', 'a', 't', 'a'}) file.push_back(b);
    for (int i = 0; i < 4; ++i) file.push_back(static_cast<std::uint8_t>(inner.size() >> (8 * i)));
    file.insert(file.end(), inner.begin(), inner.end());
    EXPECT_DOUBLE_EQ(vr::parse_midi(file, "t.rmi").duration_s, 0.5);
}

TEST(Midi, ReadFileNamesThePath) {
    try {
        vr::read_midi_file("/nonexistent/song.mid");
        FAIL() << "no throw";
    } catch (const vr::record_error& e) {
        EXPECT_EQ(std::string(e.what()).rfind("/nonexistent/song.mid: ", 0), 0u) << e.what();
    }
}

}  // namespace
