// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for the DX7 SysEx reader: the real cartridge, cartridges and
// single voices of our own, files of several dumps, and every refusal
// naming its byte.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "presets/detect.hpp"
#include "presets/dx7_sysex.hpp"
#include "presets/scan.hpp"
#include "presets_fixtures.hpp"

namespace {

using namespace preset_tests;

// A 32-voice bulk dump whose voice v is named names[v] (padded with
// spaces), its other bytes a pattern below 0x80, its checksum right.
byte_vector cartridge(const std::vector<std::string>& names, std::uint8_t channel = 0) {
    byte_vector b = {0xF0, 0x43, channel, 0x09, 0x20, 0x00};
    for (int v = 0; v < 32; ++v) {
        std::string name = v < static_cast<int>(names.size()) ? names[static_cast<std::size_t>(v)] : "";
        name.resize(10, ' ');
        for (int i = 0; i < 118; ++i) b.push_back(static_cast<std::uint8_t>((v * 7 + i * 3) & 0x7F));
        b.insert(b.end(), name.begin(), name.end());
    }
    b.push_back(vr::dx7_checksum(std::span(b).subspan(6, 4096)));
    b.push_back(0xF7);
    return b;
}

byte_vector single_voice(const std::string& name) {
    byte_vector b = {0xF0, 0x43, 0x00, 0x00, 0x01, 0x1B};
    std::string n = name;
    n.resize(10, ' ');
    for (int i = 0; i < 145; ++i) b.push_back(static_cast<std::uint8_t>(i & 0x3F));
    b.insert(b.end(), n.begin(), n.end());
    b.push_back(vr::dx7_checksum(std::span(b).subspan(6, 155)));
    b.push_back(0xF7);
    return b;
}

std::string hex(unsigned v) {
    char b[8];
    std::snprintf(b, sizeof b, "0x%02x", v);
    return b;
}

std::string error_of(const byte_vector& b) {
    return error_message<vr::format_error>([&] { vr::parse_dx7_sysex(b); });
}
std::string refusal_of(const byte_vector& b) {
    return error_message<vr::not_a_preset>([&] { vr::parse_dx7_sysex(b); });
}

TEST(Dx7Sysex, TheRealCartridgeMatchesItsIndexRow) {
    auto rows = index_rows("dx7");
    ASSERT_EQ(rows.size(), 1u);
    auto bytes = load("dx7", rows[0].at("file"));
    ASSERT_EQ(bytes.size(), vr::dx7_bulk_bytes);
    auto f = vr::parse_dx7_sysex(bytes);
    ASSERT_EQ(f.dumps.size(), 1u);
    EXPECT_TRUE(f.dumps[0].bulk);
    ASSERT_EQ(f.voice_names.size(), 32u);
    EXPECT_EQ(f.voice_names[0], "XtalPad");
    for (std::size_t v = 1; v < 32; ++v) EXPECT_EQ(f.voice_names[v], "INIT VOICE");
    EXPECT_EQ(vr::sniff_preset_any(bytes), vr::preset_kind::dx7_sysex);
    EXPECT_EQ(vr::sniff_preset(bytes), vr::preset_kind::none);  // render-one does not load it yet
}

TEST(Dx7Sysex, ReadsCartridgesAndVoicesOfOurOwn) {
    auto c = cartridge({"BRASS   1", "E.PIANO 1", "", "x"}, 5);
    auto f = vr::parse_dx7_sysex(c);
    ASSERT_EQ(f.voice_names.size(), 32u);
    EXPECT_EQ(f.voice_names[0], "BRASS   1");
    EXPECT_EQ(f.voice_names[1], "E.PIANO 1");
    EXPECT_EQ(f.voice_names[2], "");
    EXPECT_EQ(f.voice_names[3], "x");
    EXPECT_EQ(f.dumps[0].channel, 5);

    auto v = single_voice("SOLO");
    ASSERT_EQ(v.size(), vr::dx7_voice_bytes);
    auto g = vr::parse_dx7_sysex(v);
    ASSERT_EQ(g.voice_names.size(), 1u);
    EXPECT_EQ(g.voice_names[0], "SOLO");
    EXPECT_FALSE(g.dumps[0].bulk);

    // Several dumps back to back: their voices in file order.
    byte_vector both = cartridge({"ONE"});
    auto second = single_voice("TWO");
    both.insert(both.end(), second.begin(), second.end());
    auto h = vr::parse_dx7_sysex(both);
    ASSERT_EQ(h.dumps.size(), 2u);
    ASSERT_EQ(h.voice_names.size(), 33u);
    EXPECT_EQ(h.voice_names[32], "TWO");
    EXPECT_EQ(h.dumps[1].offset, vr::dx7_bulk_bytes);
}

TEST(Dx7Sysex, NamesKeepPrintableAsciiOnly) {
    std::vector<std::uint8_t> n = {'A', 0x7F, 0x01, 'b', ' ', ' ', ' ', ' ', ' ', ' '};
    EXPECT_EQ(vr::dx7_voice_name(n), "A??b");
}

TEST(Dx7Sysex, RefusesBrokenDumpsNamingTheByte) {
    auto c = cartridge({"A"});
    auto bad_sum = c;
    bad_sum[4102] ^= 0x01;
    EXPECT_EQ(error_of(bad_sum), "byte 4102: checksum " + hex(bad_sum[4102]) + ", but the data's is " + hex(c[4102]));

    auto changed = c;
    changed[100] ^= 0x01;  // the data changed, the checksum did not
    EXPECT_NE(error_of(changed).find("byte 4102: checksum"), std::string::npos);

    auto cut = byte_vector(c.begin(), c.begin() + 2000);
    EXPECT_EQ(error_of(cut), "truncated at byte 2000: a 32-voice dump starting at byte 0 needs 4104 bytes, the file has 2000");
    auto no_end = c;
    no_end.pop_back();
    EXPECT_EQ(error_of(no_end), "truncated at byte 4103: a 32-voice dump starting at byte 0 needs 4104 bytes, the file has 4103");
    auto header_only = byte_vector(c.begin(), c.begin() + 4);
    EXPECT_EQ(error_of(header_only), "truncated at byte 4: the byte count needs 1 bytes, 0 left");

    auto high = c;
    high[10] = 0x80;
    EXPECT_EQ(error_of(high), "byte 10: 0x80 in the voice data, whose bytes are 7-bit");
    auto end = c;
    end[4103] = 0xF0;
    EXPECT_EQ(error_of(end), "byte 4103: 0xf0 where the dump should end (0xf7)");
    auto count = c;
    count[5] = 0x01;
    EXPECT_EQ(error_of(count), "byte 4: byte count 0x20 0x01, not the 4096 of a DX7 32-voice dump");

    // After a good dump, anything but another dump is broken.
    auto trailing = c;
    trailing.push_back(0x00);
    EXPECT_EQ(error_of(trailing), "byte 4104: 0x00, not a SysEx start (0xf0) where a DX7 voice dump should start");
    auto roland_after = c;
    for (std::uint8_t b : {0xF0, 0x41, 0x10, 0x42, 0xF7}) roland_after.push_back(b);
    EXPECT_EQ(error_of(roland_after), "byte 4105: MIDI System Exclusive data of manufacturer 0x41, not Yamaha (0x43) "
                                      "where a DX7 voice dump should start");
}

TEST(Dx7Sysex, AFileThatIsNotADx7DumpIsNotAPreset) {
    EXPECT_EQ(refusal_of({0xF0, 0x41, 0x10, 0x42, 0x12, 0xF7}),
              "MIDI System Exclusive data of manufacturer 0x41, not Yamaha (0x43) (byte 1)");
    EXPECT_EQ(refusal_of({0xF0, 0x43, 0x10, 0x00, 0x01, 0xF7}),
              "a Yamaha parameter or request message, sub-status 0x01 (byte 2)");
    EXPECT_EQ(refusal_of({0xF0, 0x43, 0x00, 0x04, 0x20, 0x00}),
              "Yamaha SysEx of format 0x04, not DX7 voices (0 or 9) (byte 3)");
    EXPECT_EQ(refusal_of({'M', 'T', 'h', 'd'}), "0x4d, not a SysEx start (0xf0) (byte 0)");
    EXPECT_EQ(refusal_of({}), "an empty file");
}

TEST(Dx7Sysex, SummedUpAsABankOfVoicesOrAVoice) {
    auto s = vr::summarize_preset(cartridge({"LEAD 1", "", "PAD"}), "/x/My Cart.syx");
    EXPECT_EQ(s.format, "dx7-sysex");
    EXPECT_EQ(s.plugin_id, "DX7");
    EXPECT_EQ(s.name, "My Cart");
    ASSERT_EQ(s.program_count, 32);
    EXPECT_EQ(vr::program_name(s, 0), "LEAD 1");
    EXPECT_EQ(vr::program_name(s, 2), "PAD");
    auto v = vr::summarize_preset(single_voice("SOLO"), "/x/v.syx");
    EXPECT_EQ(v.name, "SOLO");
    EXPECT_FALSE(v.program_count);
    EXPECT_EQ(vr::summarize_preset(single_voice(""), "/x/unnamed.syx").name, "unnamed");
    EXPECT_EQ(vr::claimed_by_name("a/B.SYX"), vr::preset_kind::dx7_sysex);
}

}  // namespace
