// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <filesystem>

#include <unistd.h>

#include "core/error.hpp"
#include "core/files.hpp"
#include "fixtures.hpp"
#include "presets/fxp.hpp"
#include "presets/juce_state.hpp"
#include "presets/load.hpp"
#include "presets/preset_fit.hpp"

namespace {

std::filesystem::path temp_dir() {
    return std::filesystem::temp_directory_path() / ("vr-preset-load-" + std::to_string(::getpid()));
}

// The files these tests write go when the run ends.
struct remove_temp_dir : ::testing::Environment {
    void TearDown() override {
        std::error_code ignored;
        std::filesystem::remove_all(temp_dir(), ignored);
    }
};
[[maybe_unused]] auto* const temp_dir_cleanup = ::testing::AddGlobalTestEnvironment(new remove_temp_dir);

std::string temp_file(const std::string& name, const std::vector<std::uint8_t>& bytes) {
    auto dir = temp_dir();
    std::filesystem::create_directories(dir);
    auto path = (dir / name).string();
    vr::write_file_atomic(path, bytes);
    return path;
}

vr::fx_program params_program(std::vector<float> values) {
    vr::fx_program p;
    p.fx_id = vr::fx_id_from("Abcd");
    p.name = "Lead";
    p.params = std::move(values);
    return p;
}

}  // namespace

TEST(PresetLoad, AnFxpOfValuesGivesTheValues) {
    auto path = temp_file("v.fxp", vr::write_fxp(params_program({0.25f, 0.5f})));
    auto p = vr::load_preset(path, std::nullopt);
    EXPECT_EQ(p.format, "fxp");
    EXPECT_EQ(p.plugin_id, "Abcd");
    EXPECT_EQ(p.name, "Lead");
    EXPECT_EQ(p.payload, vr::preset_payload::params);
    EXPECT_EQ(p.params, (std::vector<float>{0.25f, 0.5f}));
    EXPECT_EQ(p.sha256.size(), 64u);
    EXPECT_EQ(vr::applied_as(p, "vst2"), "fxp-params");
    // program_index picks a bank's program only.
    EXPECT_FALSE(vr::load_preset(path, 1).program);
}

TEST(PresetLoad, ABankPicksItsProgram) {
    vr::fx_bank bank;
    bank.fx_id = vr::fx_id_from("Abcd");
    bank.programs = {params_program({0.1f}), params_program({0.9f})};
    bank.num_programs = 2;
    auto path = temp_file("b.fxb", vr::write_fxb(bank));
    auto p = vr::load_preset(path, 1);
    EXPECT_EQ(p.format, "fxb");
    ASSERT_TRUE(p.program);
    EXPECT_EQ(*p.program, 1);
    EXPECT_EQ(p.params, std::vector<float>{0.9f});
    EXPECT_EQ(*vr::load_preset(path, std::nullopt).program, 0);
    try {
        vr::load_preset(path, 2);
        FAIL();
    } catch (const vr::record_error& e) {
        EXPECT_NE(std::string(e.what()).find("the bank has 2 programs"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
}

TEST(PresetLoad, AChunkFxpIsRewrittenByLib) {
    vr::fx_program p = params_program({});
    std::vector<std::uint8_t> chunk{1, 2, 3, 4, 5};
    p.opaque = true;
    p.chunk = chunk;
    auto bytes = vr::write_fxp(p);
    auto path = temp_file("c.fxp", bytes);
    auto l = vr::load_preset(path, std::nullopt);
    EXPECT_EQ(l.payload, vr::preset_payload::fx_chunk);
    EXPECT_EQ(l.chunk, chunk);
    EXPECT_EQ(l.bytes, bytes);
    EXPECT_EQ(vr::applied_as(l, "vst3"), "fxp-chunk-as-vst3-state");
}

TEST(PresetLoad, TruncatedOrUnknownFilesNameTheFile) {
    auto bytes = vr::write_fxp(params_program({0.25f, 0.5f}));
    bytes.resize(bytes.size() - 3);
    auto cut = temp_file("cut.fxp", bytes);
    try {
        vr::load_preset(cut, std::nullopt);
        FAIL();
    } catch (const vr::record_error& e) {
        EXPECT_EQ(std::string(e.what()).rfind("preset " + cut + ": ", 0), 0u) << e.what();
    }
    auto text = temp_file("t.fxp", {'h', 'i', '\n'});
    EXPECT_THROW(vr::load_preset(text, std::nullopt), vr::record_error);
    EXPECT_THROW(vr::load_preset(text + ".missing", std::nullopt), vr::record_error);
}

TEST(PresetLoad, StatesAreCheckedWhenTheirFormatIsKnown) {
    auto raw = temp_file("raw.state", {'V', 'R', 'T', 'S', 1, 0});
    auto s = vr::load_state(raw);
    EXPECT_EQ(s.payload, vr::preset_payload::raw_state);
    EXPECT_EQ(vr::applied_as(s, "vst3"), "state");
    auto blob = vr::make_vst3_state_blob(vr::vst3_state{{1, 2, 3}, std::nullopt});
    EXPECT_EQ(vr::load_state(temp_file("ok.state", blob)).payload, vr::preset_payload::vst3_state);
    blob.resize(blob.size() - 5);
    EXPECT_THROW(vr::load_state(temp_file("bad.state", blob)), vr::record_error);
}

// JUCE plugins' own binary XML shares the VC2! container with JUCE's VST3
// blob: a root other than <VST3PluginState> is the plugin's raw state.
TEST(PresetLoad, BinaryXmlOfAPluginsOwnRootIsItsRawState) {
    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?> <tal curprogram=\"0\" version=\"1.7\"/>";
    std::vector<std::uint8_t> tal = {'V', 'C', '2', '!'};
    for (int i = 0; i < 4; ++i) tal.push_back(static_cast<std::uint8_t>(xml.size() >> (8 * i)));
    tal.insert(tal.end(), xml.begin(), xml.end());
    tal.push_back(0);
    auto s = vr::load_state(temp_file("tal.state", tal));
    EXPECT_EQ(s.payload, vr::preset_payload::raw_state);
    EXPECT_EQ(s.bytes, tal);
    EXPECT_EQ(vr::applied_as(s, "vst2"), "state");
    // The door for a preset format whose file is the plugin's state.
    auto vital = vr::raw_state({'{', '}'}, "a.vital", "vital");
    EXPECT_EQ(vital.payload, vr::preset_payload::raw_state);
    EXPECT_EQ(vr::applied_as(vital, "lv2"), "state");
    EXPECT_THROW(vr::raw_state({}, "empty.vital", "vital"), vr::record_error);
}

// Serum 2 plays its init patch for a .SerumPreset given as its state: the
// job fails as a state the plugin ignored, and this warning ends its error.
TEST(PresetLoad, ASerumPresetGivenAsAStateIsWarnedAbout) {
    const auto dir = vr_test::fixtures() / "serum2" / "files" / "wiillownet";
    auto raw = vr::load_state(dir / "test_preset.SerumPreset");
    EXPECT_EQ(raw.payload, vr::preset_payload::raw_state);
    EXPECT_EQ(raw.warning, "a Serum preset, not the processor's state: give it as --preset");
    // The processor's state, alone or in JUCE's blob (what serum-unwrap writes), is no preset.
    EXPECT_EQ(vr::load_state(dir / "serum_2.1.4_default_state.IComponent.xferjson.bin").warning, "");
    EXPECT_EQ(vr::load_state(dir / "test_preset.state.bin").warning, "");
    EXPECT_EQ(vr::load_preset(dir / "test_preset.SerumPreset", std::nullopt).warning, "");
}

// A loaded preset of only a format and the plugin id it names.
vr::loaded_preset preset_for(std::string format, std::string plugin_id) {
    vr::loaded_preset p;
    p.format = std::move(format);
    p.plugin_id = std::move(plugin_id);
    return p;
}

TEST(PresetLoad, PluginIdsMatchAcrossFormats) {
    auto fxp = preset_for("fxp", "Vrts");
    EXPECT_TRUE(vr::plugin_id_matches(fxp, "vst2", "Vrts", "x"));
    EXPECT_FALSE(vr::plugin_id_matches(fxp, "vst2", "amsy", "x"));
    EXPECT_TRUE(vr::plugin_id_matches(fxp, "vst3", "ABCDEF019182FAEB56726E6456727473", "x"));
    EXPECT_FALSE(vr::plugin_id_matches(fxp, "vst3", "ABCDEF019182FAEB56726E6400000000", "x"));
    EXPECT_FALSE(vr::plugin_id_matches(fxp, "lv2", "urn:x", "x"));
    auto v3 = preset_for("vstpreset", "abcdef019182faeb56726e6456727473");
    EXPECT_TRUE(vr::plugin_id_matches(v3, "vst3", "ABCDEF019182FAEB56726E6456727473", "x"));
    EXPECT_FALSE(vr::plugin_id_matches(v3, "vst2", "Vrts", "x"));
    v3.plugin_id = "12345678123456781234567812345678";
    EXPECT_TRUE(vr::plugin_id_matches(v3, "vst3", "ABCDEF019182FAEB56726E6456727473", "x"));
    auto serum = preset_for("serum2", "Serum2");
    EXPECT_FALSE(vr::plugin_id_matches(serum, "vst3", "ABCDEF019182FAEB56726E6456727473", "vr-test-synth"));
    EXPECT_TRUE(vr::plugin_id_matches(serum, "vst3", "0123456789ABCDEF0123456789ABCDEF", "Serum 2"));
}
