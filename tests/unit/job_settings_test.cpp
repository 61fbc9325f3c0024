// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for what a result record echoes of its format (an .ogg has a
// Vorbis quality, not a sample format) and for what resolve_plugin says of
// a path that is a plugin for another system.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "audio/sndfile.hpp"
#include "audio_test_util.hpp"
#include "core/error.hpp"
#include "core/records.hpp"
#include "jobs/job.hpp"

namespace {

vr::json settings_for(const std::string& output_path, vr::json record) {
    vr::render_job job;
    vr::plugin_stage stage;
    stage.plugin = {"/x/synth.so", vr::plugin_format::vst2};
    job.stages.push_back(stage);
    job.output_path = output_path;
    job.format = vr::sample_format::pcm16;
    vr::put_job_settings(job, record);
    return record;
}

std::string message_of(const std::string& plugin) {
    try {
        vr::resolve_plugin(plugin);
    } catch (const vr::record_error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST(JobSettings, OggResultsGiveTheVorbisQualityNotASampleFormat) {
    vr::json ogg = settings_for("/o/a.ogg", {{"sample_format", "pcm24"}, {"mine", 1}});
    EXPECT_FALSE(ogg.contains("sample_format"));
    EXPECT_EQ(ogg.at("ogg_quality").get<double>(), vr::vorbis_quality);
    EXPECT_EQ(ogg.at("mine"), 1);
    // Rendered again as a .wav, the record gets a sample format back and
    // loses the quality that no longer describes it.
    vr::json wav = settings_for("/o/a.wav", ogg);
    EXPECT_EQ(wav.at("sample_format"), "pcm16");
    EXPECT_FALSE(wav.contains("ogg_quality"));
    for (const char* path : {"/o/a.flac", "/o/a.aiff", "/o/a.OGG.wav"})
        EXPECT_EQ(settings_for(path, vr::json::object()).at("sample_format"), "pcm16") << path;
    EXPECT_FALSE(settings_for("/o/a.OGG", vr::json::object()).contains("sample_format"));
}

TEST(JobSettings, ResolvePluginSaysWhatAForeignFileIsAndTakesWindowsBuilds) {
    vr::test::scratch_dir dir;
    // A Windows DLL's first bytes: MZ, e_lfanew at 0x3C, "PE\0\0", x86-64, DLL, PE32+.
    std::string pe(0x5C, '\0');
    pe[0] = 'M';
    pe[1] = 'Z';
    pe[0x3C] = 0x40;
    pe.replace(0x40, 4, std::string("PE\0\0", 4));
    pe[0x44] = 0x64;
    pe[0x45] = static_cast<char>(0x86);
    pe[0x56] = 0x22;
    pe[0x57] = 0x20;
    pe[0x58] = 0x0B;
    pe[0x59] = 0x02;
    std::ofstream(dir.file("Synth.dll"), std::ios::binary) << pe;
    // A Windows build is hosted through wine: it resolves, marked so.
    const vr::plugin_ref dll = vr::resolve_plugin(dir.file("Synth.dll"));
    EXPECT_EQ(dll.format, vr::plugin_format::vst2);
    EXPECT_TRUE(dll.windows);
    std::filesystem::create_directories(dir.file("Synth.vst3/Contents/x86_64-win"));
    const vr::plugin_ref bundle = vr::resolve_plugin(dir.file("Synth.vst3"));
    EXPECT_EQ(bundle.format, vr::plugin_format::vst3);
    EXPECT_TRUE(bundle.windows);
    EXPECT_FALSE(vr::resolve_plugin(dir.file("Other.vst3")).windows);
    // A macOS bundle given as the plugin.
    std::filesystem::create_directories(dir.file("Synth.component/Contents/MacOS"));
    EXPECT_EQ(message_of(dir.file("Synth.component")),
              "cannot load plugin " + dir.file("Synth.component") +
                  ": a bundle with Contents/MacOS: a macOS build (MacOS); Linux cannot load macOS plugins");
    // A .dll that is not there still says what a .dll is, whatever its case.
    EXPECT_EQ(message_of("/nowhere/Synth.Dll"),
              "cannot tell the plugin format of '/nowhere/Synth.Dll': expected a VST2 .so, a .vst3 bundle, an .lv2 "
              "bundle or an LV2 URI (a .dll would be a Windows plugin, hosted through wine: this one is not there or "
              "not a Windows DLL)");
    EXPECT_EQ(message_of("/nowhere/synth.dylib"),
              "cannot tell the plugin format of '/nowhere/synth.dylib': expected a VST2 .so, a .vst3 bundle, an .lv2 "
              "bundle or an LV2 URI");
}
