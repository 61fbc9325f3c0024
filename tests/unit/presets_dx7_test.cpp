// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for the DX7 SysEx reader: the real cartridge, cartridges and
// single voices of our own, files of several dumps, and every refusal
// naming its byte; any .syx split into its messages; a DX7 voice loaded as
// the dump that holds it and the program change that selects it.
#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audio_test_util.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "presets/detect.hpp"
#include "presets/dx7_sysex.hpp"
#include "presets/load.hpp"
#include "presets/preset_fit.hpp"
#include "presets/scan.hpp"
#include "presets/sysex_file.hpp"
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

// What parse_sysex_file says of b, and the byte it names.
std::pair<std::string, std::size_t> sysex_error_of(const byte_vector& b) {
    try {
        vr::parse_sysex_file(b);
    } catch (const vr::format_error& e) {
        return {e.what(), e.offset};
    }
    return {"(no error)", 0};
}

byte_vector joined(const std::vector<byte_vector>& parts) {
    byte_vector all;
    for (const byte_vector& p : parts) all.insert(all.end(), p.begin(), p.end());
    return all;
}

// The names of a cartridge whose every voice has its own: "VOICE 0".."VOICE 31".
std::vector<std::string> numbered_names() {
    std::vector<std::string> names;
    for (int v = 0; v < 32; ++v) names.push_back("VOICE " + std::to_string(v));
    return names;
}

// A folder of .syx files written by the test, gone when it ends.
class Dx7Load : public ::testing::Test {
protected:
    vr::test::scratch_dir dir;
    std::string write(const std::string& name, const byte_vector& bytes) {
        const std::string path = dir.file(name);
        vr::write_file_atomic(path, bytes);
        return path;
    }
    std::string load_error(const std::string& path, std::optional<int> program) {
        return error_message<vr::record_error>([&] { vr::load_preset(path, program); });
    }
};

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
    EXPECT_EQ(vr::sniff_preset(bytes), vr::preset_kind::none);  // its kinds are fx, vstpreset and serum2 alone
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

TEST(SysexFile, SplitsAFileIntoItsMessages) {
    const byte_vector one = {0xF0, 0x7E, 0x7F, 0x06, 0x01, 0xF7};
    auto m = vr::parse_sysex_file(one);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0], one);
    // The shortest message, F0 F7, is one too.
    EXPECT_EQ(vr::parse_sysex_file(byte_vector{0xF0, 0xF7}), (std::vector<byte_vector>{{0xF0, 0xF7}}));

    // A DX7 cartridge, another maker's message and a single voice, back to back.
    const byte_vector cart = cartridge({"ONE"});
    const byte_vector roland = {0xF0, 0x41, 0x10, 0x42, 0x12, 0x40, 0x00, 0x7F, 0x00, 0x41, 0xF7};
    const byte_vector voice = single_voice("TWO");
    auto three = vr::parse_sysex_file(joined({cart, roland, voice}));
    ASSERT_EQ(three.size(), 3u);
    EXPECT_EQ(three[0], cart);
    EXPECT_EQ(three[1], roland);
    EXPECT_EQ(three[2], voice);
}

TEST(SysexFile, RefusesWhatIsNotSysexNamingTheByte) {
    using error = std::pair<std::string, std::size_t>;
    EXPECT_EQ(sysex_error_of({}), (error{"an empty file, not MIDI System Exclusive (.syx)", 0}));
    EXPECT_EQ(sysex_error_of({'M', 'T', 'h', 'd', 0, 0, 0, 6}),
              (error{"byte 0: 4D where a SysEx message (F0) should start: not a .syx file", 0}));
    // After a good message the file is SysEx, only broken.
    EXPECT_EQ(sysex_error_of({0xF0, 0x01, 0xF7, 0x00, 0xF0, 0xF7}),
              (error{"byte 3: 00 where a SysEx message (F0) should start", 3}));
    EXPECT_EQ(sysex_error_of({0xF0, 0x01, 0xF7, 0xF7}),
              (error{"byte 3: F7 where a SysEx message (F0) should start", 3}));
    // A message cut short is named by where it starts.
    EXPECT_EQ(sysex_error_of({0xF0, 0x01, 0xF7, 0xF0, 0x43, 0x00}),
              (error{"byte 3: the SysEx message starting there has no F7: the file is cut short after 3 bytes", 3}));
    EXPECT_EQ(sysex_error_of({0xF0}),
              (error{"byte 0: the SysEx message starting there has no F7: the file is cut short after 1 bytes", 0}));
    auto cut = cartridge({"A"});
    cut.pop_back();
    EXPECT_EQ(sysex_error_of(cut),
              (error{"byte 0: the SysEx message starting there has no F7: the file is cut short after 4103 bytes", 0}));
    // A status byte inside a message: a note-on, or the next message's F0 where an F7 should be.
    EXPECT_EQ(sysex_error_of({0xF0, 0x01, 0x90, 0x3C, 0xF7}),
              (error{"byte 2: 90 inside a SysEx message (its data bytes are below 80)", 2}));
    EXPECT_EQ(sysex_error_of({0xF0, 0x01, 0xF7, 0xF0, 0x02, 0xF0, 0x03, 0xF7}),
              (error{"byte 5: F0 inside a SysEx message (its data bytes are below 80)", 5}));
}

TEST_F(Dx7Load, ACartridgeGivesItsDumpThenTheProgramChangeOfTheVoice) {
    const byte_vector cart = cartridge(numbered_names());
    const std::string path = write("cart.syx", cart);
    auto first = vr::load_preset(path, std::nullopt);
    EXPECT_EQ(first.format, "dx7-sysex");
    EXPECT_EQ(first.payload, vr::preset_payload::sysex);
    EXPECT_EQ(first.name, "VOICE 0");
    EXPECT_EQ(first.sha256, vr::sha256_hex(cart));
    EXPECT_EQ(first.messages, (std::vector<byte_vector>{cart, {0xC0, 0x00}}));
    EXPECT_EQ(first.program, 0);
    EXPECT_TRUE(first.bytes.empty());
    EXPECT_EQ(vr::applied_as(first, "vst3"), "sysex");

    auto fifth = vr::load_preset(path, 5);
    EXPECT_EQ(fifth.name, "VOICE 5");
    EXPECT_EQ(fifth.messages, (std::vector<byte_vector>{cart, {0xC0, 0x05}}));
    EXPECT_EQ(fifth.program, 5);
    auto last = vr::load_preset(path, 31);
    EXPECT_EQ(last.name, "VOICE 31");
    EXPECT_EQ(last.messages[1], (byte_vector{0xC0, 0x1F}));
    EXPECT_EQ(load_error(path, 32), "preset " + path + ": program_index 32: the file holds 32 DX7 voices (0-31)");
}

TEST_F(Dx7Load, ASingleVoiceGivesItsDumpAlone) {
    const byte_vector voice = single_voice("SOLO");
    const std::string path = write("voice.syx", voice);
    auto p = vr::load_preset(path, std::nullopt);
    EXPECT_EQ(p.format, "dx7-sysex");
    EXPECT_EQ(p.payload, vr::preset_payload::sysex);
    EXPECT_EQ(p.name, "SOLO");
    EXPECT_EQ(p.messages, std::vector<byte_vector>{voice});
    EXPECT_FALSE(p.program);
    EXPECT_EQ(vr::load_preset(path, 0).messages, std::vector<byte_vector>{voice});
    EXPECT_EQ(load_error(path, 1), "preset " + path + ": program_index 1: the file holds 1 DX7 voices (0-0)");
}

TEST_F(Dx7Load, VoicesAreCountedAcrossTheDumpsOfAFile) {
    const byte_vector voice = single_voice("FIRST");
    const byte_vector cart = cartridge(numbered_names());
    const std::string path = write("both.syx", joined({voice, cart}));
    auto zero = vr::load_preset(path, std::nullopt);
    EXPECT_EQ(zero.name, "FIRST");
    EXPECT_EQ(zero.messages, std::vector<byte_vector>{voice});
    EXPECT_FALSE(zero.program);
    auto one = vr::load_preset(path, 1);
    EXPECT_EQ(one.name, "VOICE 0");
    EXPECT_EQ(one.messages, (std::vector<byte_vector>{cart, {0xC0, 0x00}}));
    EXPECT_EQ(one.program, 0);
    auto end = vr::load_preset(path, 32);
    EXPECT_EQ(end.name, "VOICE 31");
    EXPECT_EQ(end.messages, (std::vector<byte_vector>{cart, {0xC0, 0x1F}}));
    EXPECT_EQ(end.program, 31);
    EXPECT_EQ(load_error(path, 33), "preset " + path + ": program_index 33: the file holds 33 DX7 voices (0-32)");
}

TEST_F(Dx7Load, ABrokenDumpOrAnotherMakersSysexIsNoPreset) {
    auto bad_sum = cartridge({"A"});
    bad_sum[4102] ^= 0x01;
    const std::string broken = write("broken.syx", bad_sum);
    EXPECT_EQ(load_error(broken, std::nullopt), "preset " + broken + ": byte 4102: checksum " + hex(bad_sum[4102]) +
                                                    ", but the data's is " + hex(bad_sum[4102] ^ 0x01));
    const std::string roland = write("roland.syx", {0xF0, 0x41, 0x10, 0x42, 0x12, 0xF7});
    EXPECT_NE(load_error(roland, std::nullopt).find("preset " + roland + ": not a preset render-one can load"),
              std::string::npos);
}

TEST_F(Dx7Load, AnySysexFileLoadsAsItsMessages) {
    const byte_vector cart = cartridge({"ONE"});
    const byte_vector roland = {0xF0, 0x41, 0x10, 0x42, 0x12, 0xF7};
    const byte_vector file = joined({roland, cart});
    const std::string path = write("any.syx", file);
    auto p = vr::load_sysex(path);
    EXPECT_EQ(p.path, path);
    EXPECT_EQ(p.format, "sysex");
    EXPECT_EQ(p.payload, vr::preset_payload::sysex);
    EXPECT_EQ(p.sha256, vr::sha256_hex(file));
    EXPECT_EQ(p.messages, (std::vector<byte_vector>{roland, cart}));  // as they are: no program change
    EXPECT_FALSE(p.program);
    EXPECT_EQ(p.name, "");
    EXPECT_EQ(vr::applied_as(p, "lv2"), "sysex");

    auto sysex_error = [](const std::string& at) {
        return error_message<vr::record_error>([&] { vr::load_sysex(at); });
    };
    const std::string midi = write("song.mid", {'M', 'T', 'h', 'd', 0, 0, 0, 6});
    EXPECT_EQ(sysex_error(midi),
              "sysex " + midi + ": byte 0: 4D where a SysEx message (F0) should start: not a .syx file");
    const std::string empty = write("empty.syx", {});
    EXPECT_EQ(sysex_error(empty), "sysex " + empty + ": an empty file, not MIDI System Exclusive (.syx)");
    const std::string cut = write("cut.syx", {0xF0, 0x01, 0xF7, 0xF0, 0x02});
    EXPECT_EQ(sysex_error(cut), "sysex " + cut +
                                    ": byte 3: the SysEx message starting there has no F7: the file is cut short "
                                    "after 2 bytes");
    EXPECT_NE(sysex_error(dir.file("missing.syx")).find(dir.file("missing.syx")), std::string::npos);
}

}  // namespace
