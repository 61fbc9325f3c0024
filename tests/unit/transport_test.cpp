// SPDX-License-Identifier: GPL-3.0-or-later
// The host's transport: a MIDI file's tempo map and time signatures read,
// positions at frames, where blocks must split, and the errors for a file's
// tempos and time signatures that are not ones (a job's and a flag's:
// tempo_fields_test).
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.hpp"
#include "fixtures.hpp"
#include "midi/midi.hpp"
#include "midi/transport.hpp"
#include "smf_builder.hpp"

namespace {

using vr_test::byte_vector;

// Meta events at delta times (ticks), 480 ticks per quarter.
byte_vector tempo(std::uint32_t delta, std::uint32_t us) {
    return {static_cast<std::uint8_t>(delta), 0xFF, 0x51, 0x03, static_cast<std::uint8_t>(us >> 16),
            static_cast<std::uint8_t>(us >> 8), static_cast<std::uint8_t>(us)};
}
byte_vector meter(std::uint32_t delta, int numerator, int power) {
    return {static_cast<std::uint8_t>(delta), 0xFF, 0x58, 0x04, static_cast<std::uint8_t>(numerator),
            static_cast<std::uint8_t>(power), 24, 8};
}
// A delta time as a variable-length number of two bytes (128 to 16383).
byte_vector tempo2(std::uint32_t delta, std::uint32_t us) {
    return {static_cast<std::uint8_t>(0x80 | (delta >> 7)), static_cast<std::uint8_t>(delta & 0x7F), 0xFF, 0x51, 0x03,
            static_cast<std::uint8_t>(us >> 16), static_cast<std::uint8_t>(us >> 8), static_cast<std::uint8_t>(us)};
}
byte_vector meter2(std::uint32_t delta, int numerator, int power) {
    return {static_cast<std::uint8_t>(0x80 | (delta >> 7)), static_cast<std::uint8_t>(delta & 0x7F), 0xFF, 0x58,
            0x04, static_cast<std::uint8_t>(numerator), static_cast<std::uint8_t>(power), 24, 8};
}

byte_vector join(std::initializer_list<byte_vector> parts) {
    byte_vector out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

// 120 bpm and 4/4 at tick 0; 150 bpm after two quarters (1.0 s); 3/4 after
// four (1.8 s); 80 bpm after five (2.2 s).
vr::midi_song changing_song() {
    auto track = vr_test::with_end(join({tempo(0, 500000), meter(0, 4, 2), tempo2(960, 400000),
                                         meter2(960, 3, 2), tempo2(480, 750000)}));
    return vr::parse_midi(vr_test::smf(0, 480, {track}), "t.mid");
}

TEST(Transport, AMidiFilesTempoChangesAndTimeSignaturesAreRead) {
    const vr::midi_song song = changing_song();
    ASSERT_EQ(song.tempos.size(), 3u);
    EXPECT_DOUBLE_EQ(song.tempos[1].time_s, 1.0);
    EXPECT_DOUBLE_EQ(song.tempos[1].quarter, 2.0);
    EXPECT_EQ(song.tempos[2].us_per_quarter, 750000u);
    ASSERT_EQ(song.meters.size(), 2u);
    EXPECT_EQ(song.meters[1].numerator, 3);
    EXPECT_EQ(song.meters[1].denominator_power, 2);
    EXPECT_DOUBLE_EQ(song.meters[1].time_s, 1.8);
}

TEST(Transport, PositionsFollowTheTempoMapAndBarsTheTimeSignatures) {
    const auto t = vr::transport_map::of_song(changing_song(), 120, {}, 48000, "t.mid");
    ASSERT_EQ(t.segments().size(), 4u);
    EXPECT_EQ(t.segments()[1].frame, 48000);
    EXPECT_EQ(t.segments()[2].frame, 86400);
    EXPECT_EQ(t.segments()[3].frame, 105600);

    auto p = t.at(24000);  // 0.5 s at 120 bpm: one quarter
    EXPECT_DOUBLE_EQ(p.ppq, 1.0);
    EXPECT_DOUBLE_EQ(p.bpm, 120.0);
    EXPECT_DOUBLE_EQ(p.bar_start_ppq, 0.0);
    p = t.at(48000 + 19200);  // 0.4 s at 150 bpm: one quarter more
    EXPECT_DOUBLE_EQ(p.ppq, 3.0);
    EXPECT_DOUBLE_EQ(p.bpm, 150.0);
    p = t.at(105600 + 36000);  // 0.75 s at 80 bpm: one quarter after the fifth
    EXPECT_DOUBLE_EQ(p.ppq, 6.0);
    EXPECT_EQ(p.sig, (vr::time_signature{3, 4}));
    // 3/4 from the fourth quarter, where the second bar starts: the third
    // bar starts at the seventh quarter.
    EXPECT_DOUBLE_EQ(p.bar_start_ppq, 4.0);
    EXPECT_EQ(p.bar, 1);
    EXPECT_DOUBLE_EQ(t.at(105600 + 71999).bar_start_ppq, 4.0);
    EXPECT_DOUBLE_EQ(t.at(105600 + 72000).bar_start_ppq, 7.0);
    EXPECT_EQ(t.at(105600 + 72000).bar, 2);

    EXPECT_EQ(t.next_change(0), 48000);
    EXPECT_EQ(t.next_change(48000), 86400);
    EXPECT_EQ(t.next_change(105600), std::nullopt);
    EXPECT_DOUBLE_EQ(t.seconds_at_ppq(3.0), 1.4);
    EXPECT_DOUBLE_EQ(t.seconds_at_ppq(6.0), 2.95);
}

TEST(Transport, AFileWithoutTempoIsAt120AndTheJobsTimeSignatureHoldsUntilTheFilesFirst) {
    auto track = vr_test::with_end(meter2(1920, 6, 3));
    const auto song = vr::parse_midi(vr_test::smf(0, 480, {track}), "t.mid");
    const auto t = vr::transport_map::of_song(song, 90, {7, 8}, 48000, "t.mid");
    EXPECT_DOUBLE_EQ(t.first_bpm(), 120.0);  // the standard's, not the job's
    EXPECT_EQ(t.first_sig(), (vr::time_signature{7, 8}));
    // 7/8 bars are 3.5 quarters: the one at quarter 3.5 is cut short by 6/8
    // at quarter 4, and counts.
    EXPECT_EQ(t.at(96000).sig, (vr::time_signature{6, 8}));
    EXPECT_EQ(t.at(96000).bar, 2);
}

TEST(Transport, SmpteTimedFilesTakeTheJobsTempo) {
    // 25 frames per second, 40 ticks a frame: 1000 ticks a second.
    auto track = vr_test::with_end(join({tempo(0, 250000), meter2(1000, 3, 2)}));
    const auto song = vr::parse_midi(vr_test::smf(0, 0xE728, {track}), "t.mid");
    EXPECT_TRUE(song.smpte);
    const auto t = vr::transport_map::of_song(song, 90, {}, 48000, "t.mid");
    EXPECT_DOUBLE_EQ(t.first_bpm(), 90.0);
    EXPECT_EQ(t.segments().size(), 2u);
    EXPECT_DOUBLE_EQ(t.at(48000).ppq, 1.5);
}

TEST(Transport, TemposAndTimeSignaturesThatAreNotOnesAreRefusedNamingTheValue) {
    auto error_of = [](const byte_vector& track) {
        const auto song = vr::parse_midi(vr_test::smf(0, 480, {vr_test::with_end(track)}), "t.mid");
        return vr_test::error_message<vr::record_error>(
            [&] { vr::transport_map::of_song(song, 120, {}, 48000, "t.mid"); });
    };
    EXPECT_EQ(error_of(tempo(0, 0)), "t.mid: the tempo at 0 s is 0 us per quarter note");
    EXPECT_EQ(error_of(tempo(0, 60000)),
              "t.mid: the tempo at 0 s (60000 us per quarter note): 1000 bpm is outside 1 to 999 bpm");
    EXPECT_NE(error_of(meter(0, 4, 7)).find("4/2^7, is not one"), std::string::npos);
    EXPECT_NE(error_of(meter(0, 0, 2)).find("0/2^2, is not one"), std::string::npos);
    EXPECT_NE(error_of(tempo(0, 60060)).find("999.001 bpm is outside"), std::string::npos);
    EXPECT_EQ(error_of(tempo(0, 60061)), "(no error)");
}

}  // namespace
