// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for the VST3 preset parser, sniffing by magic bytes, and the
// summaries preset-scan writes (Serum 2 included).
#include <gtest/gtest.h>

#include <cstring>

#include "core/error.hpp"
#include "presets/detect.hpp"
#include "presets/scan.hpp"
#include "presets/vstpreset.hpp"
#include "presets_fixtures.hpp"

namespace {

using namespace preset_tests;

std::string vst3_error_of(const byte_vector& b) {
    return error_message<vr::format_error>([&] { vr::parse_vstpreset(b); });
}

void put_le(byte_vector& b, std::size_t at, std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) b[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::span<const std::uint8_t> text(const char* s) {
    return {reinterpret_cast<const std::uint8_t*>(s), std::strlen(s)};
}

TEST(Vstpreset, EveryFixtureMatchesItsIndexRow) {
    auto rows = index_rows("vstpreset");
    ASSERT_GE(rows.size(), 9u);
    int checked = 0;
    for (const auto& r : rows) {
        SCOPED_TRACE(r.at("path"));
        auto bytes = load("vstpreset", r.at("path"));
        if (r.at("magic") != "VST3") {
            EXPECT_EQ(vst3_error_of(bytes),
                      "an Apple binary property list, not a VST3 preset (no 'VST3' at byte 0)");
            continue;
        }
        auto p = vr::parse_vstpreset(bytes);
        EXPECT_EQ(std::to_string(p.version), r.at("version"));
        EXPECT_EQ(p.class_id, r.at("class_id"));
        EXPECT_EQ(std::to_string(p.list_offset), r.at("list_offset"));
        std::string chunks;
        for (const auto& c : p.chunks) {
            if (!chunks.empty()) chunks += "; ";
            chunks += c.id + "@" + std::to_string(c.offset) + "+" + std::to_string(c.size);
            EXPECT_EQ(c.bytes.data(), bytes.data() + c.offset);
            EXPECT_EQ(c.bytes.size(), c.size);
        }
        EXPECT_EQ(chunks, r.at("chunks"));
        EXPECT_EQ(p.component().size(), p.find("Comp")->size);
        EXPECT_EQ(p.controller().has_value(), r.at("chunks").find("Cont") != std::string::npos);
        ++checked;
    }
    EXPECT_EQ(checked, 9);
}

TEST(Vstpreset, ExposesAnEmptyControllerStateAndTheInfoXml) {
    auto bytes = load("vstpreset", "ryukau-VSTPlugins/BasicLimiter__Truepeak.vstpreset");
    auto p = vr::parse_vstpreset(bytes);
    ASSERT_TRUE(p.controller().has_value());
    EXPECT_TRUE(p.controller()->empty());
    ASSERT_TRUE(p.info().has_value());
    std::string xml(p.info()->begin(), p.info()->end());
    EXPECT_NE(xml.find("<MetaInfo>"), std::string::npos);
}

TEST(Vstpreset, RefusesBrokenFilesNamingTheByte) {
    auto good = load("vstpreset", "ryukau-VSTPlugins/BasicLimiter__Truepeak.vstpreset");  // list at 410
    for (std::size_t n = 0; n < good.size(); ++n) {
        byte_vector cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
        EXPECT_THROW(vr::parse_vstpreset(cut), vr::format_error) << "cut to " << n;
    }
    auto b = good;
    b[8] = 'G';
    EXPECT_EQ(vst3_error_of(b), "class id at byte 8 is not 32 hex digits: 'G5E38C055A274CE993E19AAA5AFF95F5'");
    b = good;
    put_le(b, 40, 5000, 8);
    EXPECT_NE(vst3_error_of(b).find("chunk list offset 5000 at byte 40 is past the end"), std::string::npos);
    b = good;
    put_le(b, 40, 12, 8);
    EXPECT_NE(vst3_error_of(b).find("points into the header"), std::string::npos);
    b = good;
    put_le(b, 410 + 8 + 4 + 8, 65, 8);  // a larger Comp, still within the file
    EXPECT_EQ(vr::parse_vstpreset(b).component().size(), 65u);
    put_le(b, 410 + 8 + 4 + 8, 478 - 48 + 1, 8);
    EXPECT_NE(vst3_error_of(b).find("chunk 'Comp' of 431 bytes at byte 48 runs past the end"),
              std::string::npos);
    b = good;
    put_le(b, 410 + 4, 1000, 4);
    EXPECT_NE(vst3_error_of(b).find("chunk count 1000 at byte 414 does not fit"), std::string::npos);
    b = good;
    b[410 + 8 + 20 + 1] = 'o', b[410 + 8 + 20 + 2] = 'm', b[410 + 8 + 20 + 3] = 'p';  // Cont -> Comp
    b[410 + 8 + 20] = 'C';
    EXPECT_NE(vst3_error_of(b).find("chunk 'Comp' listed twice"), std::string::npos);
    b = good;
    b[410 + 8] = 'X';  // no Comp left
    EXPECT_NE(vst3_error_of(b).find("no component state"), std::string::npos);
    b = good;
    put_le(b, 410 + 8 + 4, static_cast<std::uint64_t>(-8), 8);
    EXPECT_NE(vst3_error_of(b).find("negative chunk offset"), std::string::npos);
}

TEST(Detect, SniffsPresetsByMagicAndNamesByExtension) {
    EXPECT_EQ(vr::sniff_preset(text("CcnK....")), vr::preset_kind::fx);
    EXPECT_EQ(vr::sniff_preset(text("VST3")), vr::preset_kind::vstpreset);
    EXPECT_EQ(vr::sniff_preset(std::span<const std::uint8_t>(
                  reinterpret_cast<const std::uint8_t*>("XferJson\0"), 9)),
              vr::preset_kind::serum2);
    EXPECT_EQ(vr::sniff_preset(text("XferJson")), vr::preset_kind::none);  // no NUL
    EXPECT_EQ(vr::sniff_preset(text("")), vr::preset_kind::none);
    EXPECT_EQ(vr::claimed_by_name("/a/b.FXP"), vr::preset_kind::fx);
    EXPECT_EQ(vr::claimed_by_name("x.fxb"), vr::preset_kind::fx);
    EXPECT_EQ(vr::claimed_by_name("/a.fxp/readme"), vr::preset_kind::none);
    EXPECT_EQ(vr::claimed_by_name("p.serumpreset"), vr::preset_kind::serum2);
    EXPECT_EQ(vr::claimed_by_name("p.vstpreset"), vr::preset_kind::vstpreset);
    EXPECT_EQ(vr::claimed_by_name(".fxp"), vr::preset_kind::none);  // a hidden file, no extension
}

TEST(Detect, SaysWhatOtherFilesLookLike) {
    EXPECT_EQ(vr::describe_content(text("")), "an empty file");
    EXPECT_EQ(vr::describe_content(text("bplist00\xd5")), "an Apple binary property list");
    EXPECT_EQ(vr::describe_content(text("\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!DOCTYPE plist PUBLIC>")),
              "an Apple XML property list");
    EXPECT_EQ(vr::describe_content(text("<?xml version=\"1.0\"?><MetaInfo/>")), "an XML document");
    EXPECT_EQ(vr::describe_content(text("  {\"a\": 1}")), "a JSON document");
    EXPECT_EQ(vr::describe_content(text("PK\x03\x04rest")), "a ZIP archive");
    EXPECT_EQ(vr::describe_content(text("RIFF\x24\x01\x01\x01WAVEfmt ")), "a RIFF WAVE audio file");
    EXPECT_EQ(vr::describe_content(text("MThd")), "a Standard MIDI File");
    EXPECT_EQ(vr::describe_content(text("# Read me\n")), "a text file");
    const std::uint8_t bin[] = {0, 1, 2, 0xFF};
    EXPECT_EQ(vr::describe_content(bin), "binary data (starts 00 01 02 ff)");
}

TEST(Summary, SerumPresetsGiveTheirNamesAndStatesAreNotPresets) {
    auto rows = index_rows("serum2");
    int presets = 0;
    for (const auto& r : rows) {
        if (r.at("fileType") != "SerumPreset") continue;
        SCOPED_TRACE(r.at("file"));
        std::string rel = r.at("file").substr(6);  // "files/..."
        auto bytes = load("serum2", rel);
        auto s = vr::summarize_preset(bytes, rel);
        EXPECT_EQ(s.format, "serum2");
        EXPECT_EQ(s.plugin_id, "Serum2");
        EXPECT_EQ(s.name, r.at("presetName"));
        EXPECT_FALSE(s.program_count.has_value());
        ++presets;
    }
    EXPECT_EQ(presets, 6);
    auto state = load("serum2", "wiillownet/serum_2.1.4_default_state.IComponent.xferjson.bin");
    EXPECT_THROW(vr::summarize_preset(state, "x.SerumPreset"), vr::not_a_preset);
    auto blob = load("serum2", "wiillownet/serum_2.1.4_default_state.bin");
    EXPECT_THROW(vr::summarize_preset(blob, "x.bin"), vr::not_a_preset);
}

TEST(Summary, BanksAreNamedAfterTheirFileAndCountTheirPrograms) {
    auto bytes = load("fxp", "DISTRHO-Ports-obxd/002 - KVR Bass.fxb");
    auto s = vr::summarize_preset(bytes, "/x/002 - KVR Bass.fxb");
    EXPECT_EQ(s.format, "fxb");
    EXPECT_EQ(s.plugin_id, "Obxd");
    EXPECT_EQ(s.name, "002 - KVR Bass");
    EXPECT_EQ(s.program_count, 128);
    EXPECT_EQ(vr::program_name(s, 5), "002 - KVR Bass #5");
    auto mda = vr::summarize_preset(load("fxp", "ardour2fxp/MDAx.fxb"), "MDAx.fxb");
    EXPECT_EQ(mda.program_names.size(), 64u);
    EXPECT_EQ(vr::program_name(mda, 0), "5th Sweep Pad");
    auto v3 = vr::summarize_preset(load("vstpreset", "iterum/Tape_LoFi_Groove.vstpreset"),
                                   "/p/Tape_LoFi_Groove.vstpreset");
    EXPECT_EQ(v3.name, "Tape_LoFi_Groove");
    EXPECT_EQ(v3.plugin_id, "12345678123456781234567812345678");
}

}  // namespace
