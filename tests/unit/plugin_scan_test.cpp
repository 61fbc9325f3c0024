// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for plugin-scan's parts without JUCE (lib/plugins/plugin_scan*):
// the standard locations from the environment, the walk, and what a VST3
// moduleinfo.json and an LV2 bundle's Turtle say, from files written here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "audio_test_util.hpp"
#include "core/error.hpp"
#include "plugins/plugin_scan.hpp"
#include "plugins/plugin_scan_ttl.hpp"
#include "plugins/plugin_scan_walk.hpp"

namespace {

namespace fs = std::filesystem;
using vr::plugin_format;
using vr::test::scratch_dir;

void write(const std::string& path, const std::string& text) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << text;
}

std::vector<std::string> paths_of(const std::vector<vr::scan_root>& roots, plugin_format f) {
    std::vector<std::string> out;
    for (const auto& r : roots)
        if (r.format == f) out.push_back(r.path);
    return out;
}

TEST(PluginScanRoots, DefaultsUnderHome) {
    auto roots = vr::standard_scan_roots(nullptr, nullptr, "/h");
    EXPECT_EQ(paths_of(roots, plugin_format::vst2),
              (std::vector<std::string>{"/h/.vst", "/usr/lib/vst", "/usr/local/lib/vst", "/usr/lib/lxvst"}));
    EXPECT_EQ(paths_of(roots, plugin_format::vst3),
              (std::vector<std::string>{"/h/.vst3", "/usr/lib/vst3", "/usr/local/lib/vst3"}));
    EXPECT_EQ(paths_of(roots, plugin_format::lv2),
              (std::vector<std::string>{"/h/.lv2", "/usr/lib/lv2", "/usr/local/lib/lv2"}));
    for (const auto& r : roots) EXPECT_TRUE(r.standard);
}

TEST(PluginScanRoots, PathVariablesReplaceTheDefaultsAndRepeatsGoOnce) {
    auto roots = vr::standard_scan_roots("/a::/b:/a:", "/l", "");
    EXPECT_EQ(paths_of(roots, plugin_format::vst2), (std::vector<std::string>{"/a", "/b"}));
    // No HOME: no ~ folder; VST3 has no variable.
    EXPECT_EQ(paths_of(roots, plugin_format::vst3), (std::vector<std::string>{"/usr/lib/vst3", "/usr/local/lib/vst3"}));
    EXPECT_EQ(paths_of(roots, plugin_format::lv2), (std::vector<std::string>{"/l"}));
}

TEST(PluginScanWalk, FindsPluginsByNameSortedWithoutEnteringBundlesAndReportsLoops) {
    scratch_dir d;
    write(d.file("b/synth.so"), "x");
    write(d.file("a.vst3/Contents/x86_64-linux/a.so"), "x");
    write(d.file("c.lv2/manifest.ttl"), "");
    write(d.file("c.lv2/inner.so"), "x");
    write(d.file("readme.txt"), "x");
    fs::create_directory_symlink(d.path(), d.file("b/loop"));
    std::vector<std::string> got;
    vr::walk_plugins({d.path(), std::nullopt, false}, [&](const vr::found_path& f) {
        got.push_back(f.path.substr(d.path().size()) + " " +
                      (f.format ? vr::to_string(*f.format) : "error: " + f.error));
    });
    EXPECT_EQ(got, (std::vector<std::string>{"/a.vst3 vst3",
                                             "/b/loop error: a symlink loop: this folder contains itself; not walked again",
                                             "/b/synth.so vst2", "/c.lv2 lv2"}));
    // A root for one format finds only that format's plugins.
    got.clear();
    vr::walk_plugins({d.path(), plugin_format::lv2, true}, [&](const vr::found_path& f) {
        if (f.format) got.push_back(f.path.substr(d.path().size()));
    });
    EXPECT_EQ(got, (std::vector<std::string>{"/c.lv2"}));
}

TEST(PluginScanWalk, AFolderNamedOnlyByAnExtensionIsAFolderOfPlugins) {
    scratch_dir d;
    write(d.file(".vst3/x.vst3/Contents/x86_64-linux/x.so"), "x");
    std::vector<std::string> got;
    vr::walk_plugins({d.file(".vst3"), plugin_format::vst3, true},
                     [&](const vr::found_path& f) { got.push_back(f.path.substr(d.path().size())); });
    EXPECT_EQ(got, (std::vector<std::string>{"/.vst3/x.vst3"}));
}

TEST(PluginScanWalk, AMissingRootIsAnErrorUnlessStandard) {
    int errors = 0;
    auto count = [&](const vr::found_path& f) { errors += !f.error.empty(); };
    vr::walk_plugins({"/nonexistent/plugins", std::nullopt, false}, count);
    EXPECT_EQ(errors, 1);
    vr::walk_plugins({"/nonexistent/plugins", plugin_format::vst2, true}, count);
    EXPECT_EQ(errors, 1);
}

TEST(PluginScanVst3, ModuleInfoGivesOneRecordPerAudioClass) {
    // JSON5 as Steinberg writes it: a comment, trailing commas.
    const std::string text = R"({
  // written by the SDK's moduleinfotool
  "Name": "Two",
  "Version": "2.1.0",
  "Factory Info": { "Vendor": "Acme", "URL": "", },
  "Classes": [
    { "CID": "0123456789ABCDEF0123456789ABCDEF", "Category": "Audio Module Class", "Name": "Two Synth",
      "Vendor": "", "Version": "2.1.0", "Sub Categories": ["Instrument", "Synth"], },
    { "CID": "FFFF", "Category": "Component Controller Class", "Name": "Two Controller" },
    { "CID": "89ABCDEF0123456789ABCDEF01234567", "Category": "Audio Module Class", "Name": "Two Verb",
      "Vendor": "Acme FX", "Version": "2.1.1", "Sub Categories": ["Fx", "Reverb"] },
  ],
})";
    auto records = vr::vst3_moduleinfo_records("/p/Two.vst3", text);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].dump(),
              R"({"plugin_path":"/p/Two.vst3","plugin_format":"vst3","plugin_platform":"linux-x86_64",)"
              R"("plugin_id":"0123456789ABCDEF0123456789ABCDEF",)"
              R"("plugin_name":"Two Synth","plugin_vendor":"Acme","plugin_version":"2.1.0","category":"instrument",)"
              R"("input_channels":null,"output_channels":null,"sidechain_channels":null,"midi_input":null,)"
              R"("param_count":null,"plugin_program_count":null,"plugin_sha256":null,"plugin_load_s":null})");
    EXPECT_EQ(records[1]["plugin_name"], "Two Verb");
    EXPECT_EQ(records[1]["plugin_vendor"], "Acme FX");
    EXPECT_EQ(records[1]["category"], "effect");
    EXPECT_THROW(vr::vst3_moduleinfo_records("/p/Two.vst3", "{\"Name\": 1}"), vr::record_error);
    EXPECT_THROW(vr::vst3_moduleinfo_records("/p/Two.vst3", "not json"), vr::record_error);
}

const char* manifest_ttl = R"(@prefix lv2: <http://lv2plug.in/ns/lv2core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<urn:t:synth> a lv2:Plugin ; lv2:binary <t.so> ; rdfs:seeAlso <t.ttl> .
<urn:t:side> a lv2:Plugin ; lv2:binary <t.so> ; rdfs:seeAlso <t.ttl> .
<urn:t:filter> a lv2:Plugin ; lv2:binary <t.so> ; rdfs:seeAlso <t.ttl> , <missing.ttl> .
)";

const char* plugins_ttl = R"(@prefix lv2: <http://lv2plug.in/ns/lv2core#> .
@prefix atom: <http://lv2plug.in/ns/ext/atom#> .
@prefix doap: <http://usefulinc.com/ns/doap#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix pg: <http://lv2plug.in/ns/ext/port-groups#> .
@prefix patch: <http://lv2plug.in/ns/ext/patch#> .
<urn:t:me> a foaf:Person ; foaf:name "Project Person" .
<urn:t:project> doap:maintainer <urn:t:me> .
<urn:t:synth> a lv2:InstrumentPlugin, lv2:Plugin ;
    doap:name "T \"Synth\""@en ; lv2:minorVersion 2 ; lv2:microVersion 10 ;
    doap:maintainer [ foaf:name "Maker" ] ;
    patch:writable <urn:t:synth#gain> ;
    lv2:port [ a lv2:InputPort, atom:AtomPort ; atom:supports <http://lv2plug.in/ns/ext/midi#MidiEvent> ; lv2:index 0 ] ,
             [ a lv2:OutputPort , lv2:AudioPort ; lv2:index 1 ] , [ a lv2:OutputPort , lv2:AudioPort ; lv2:index 2 ] ,
             [ a lv2:InputPort , lv2:ControlPort ; lv2:index 3 ; lv2:default 0.5 ; lv2:scalePoint [ rdfs:label "x" ; rdf:value 1 ] ] .
<urn:t:side> a lv2:CompressorPlugin ; doap:name """Side
Chain""" ; lv2:project <urn:t:project> ; pg:mainInput <urn:t:in> ;
    lv2:port [ a lv2:InputPort , lv2:AudioPort ; pg:group <urn:t:in> ] ,
             [ a lv2:InputPort , lv2:AudioPort ; pg:group <urn:t:sc> ] ,
             [ a lv2:InputPort , lv2:AudioPort ; lv2:portProperty lv2:isSideChain ] ,
             [ a lv2:OutputPort , lv2:AudioPort ] .
<urn:t:filter> a lv2:MIDIPlugin ; doap:name 'Filter' ;
    lv2:port [ a lv2:InputPort, atom:AtomPort ; atom:supports <http://lv2plug.in/ns/ext/midi#MidiEvent> ] .
)";

TEST(PluginScanLv2, TurtleGivesNamesClassesAndPorts) {
    scratch_dir d;
    const std::string bundle = d.file("t.lv2");
    write(bundle + "/manifest.ttl", manifest_ttl);
    write(bundle + "/t.ttl", plugins_ttl);
    auto plugins = vr::read_lv2_bundle(bundle);
    ASSERT_EQ(plugins.size(), 3u);

    const auto& synth = plugins[0];
    EXPECT_EQ(synth.uri, "urn:t:synth");
    EXPECT_EQ(synth.binary, bundle + "/t.so");
    EXPECT_EQ(synth.name, "T \"Synth\"");
    EXPECT_EQ(synth.vendor, "Maker");
    EXPECT_EQ(synth.version, "2.10");
    EXPECT_EQ(vr::lv2_category(synth), "instrument");
    EXPECT_EQ(synth.audio_inputs, 0);
    EXPECT_EQ(synth.audio_outputs, 2);
    EXPECT_EQ(synth.sidechain_inputs, 0);
    EXPECT_TRUE(synth.midi_input);
    EXPECT_EQ(synth.parameters, 2);  // a control port and a writable property

    const auto& side = plugins[1];
    EXPECT_EQ(side.name, "Side\nChain");
    EXPECT_EQ(side.vendor, "Project Person");  // from its lv2:project
    EXPECT_EQ(side.version, std::nullopt);
    EXPECT_EQ(vr::lv2_category(side), "effect");
    EXPECT_EQ(side.audio_inputs, 1);
    EXPECT_EQ(side.sidechain_inputs, 2);
    EXPECT_EQ(side.audio_outputs, 1);
    EXPECT_FALSE(side.midi_input);

    EXPECT_EQ(vr::lv2_category(plugins[2]), "midi_effect");
    EXPECT_TRUE(plugins[2].midi_input);
    EXPECT_EQ(plugins[2].audio_outputs, 0);
}

TEST(PluginScanLv2, RecordsOfABundleOfSeveralPluginsAreNamedByUri) {
    scratch_dir d;
    const std::string bundle = d.file("t.lv2");
    write(bundle + "/manifest.ttl", manifest_ttl);
    write(bundle + "/t.ttl", plugins_ttl);
    auto records = vr::file_records({bundle, plugin_format::lv2, ""});
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].dump(),
              R"({"plugin_path":"urn:t:synth","plugin_uri":"urn:t:synth","plugin_bundle":")" + bundle +
                  R"(","plugin_format":"lv2","plugin_platform":"linux-x86_64",)"
              R"("plugin_id":"urn:t:synth","plugin_name":"T \"Synth\"",)"
                  R"("plugin_vendor":"Maker","plugin_version":"2.10","category":"instrument","input_channels":0,)"
                  R"("output_channels":2,"sidechain_channels":0,"midi_input":true,"param_count":2,)"
                  R"("plugin_program_count":null,"plugin_sha256":null,"plugin_load_s":null})");
    // Its description file gone, a plugin is known by its manifest alone.
    write(bundle + "/manifest.ttl", "<urn:t:one> a <http://lv2plug.in/ns/lv2core#Plugin> .");
    records = vr::file_records({bundle, plugin_format::lv2, ""});
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0]["plugin_path"], bundle);
    EXPECT_TRUE(records[0]["category"].is_null());
    EXPECT_TRUE(records[0]["input_channels"].is_null());
    // A specification's bundle declares no plugin; a bundle without a manifest is an error.
    write(bundle + "/manifest.ttl", "<urn:t:spec> a <http://www.w3.org/2002/07/owl#Ontology> .");
    EXPECT_TRUE(vr::file_records({bundle, plugin_format::lv2, ""}).empty());
    EXPECT_THROW(vr::file_records({d.file("none.lv2"), plugin_format::lv2, ""}), vr::record_error);
}

TEST(PluginScanMerge, LoadedFieldsWinButForAnLv2CategoryAndVersion) {
    vr::json answer = {{"plugin_path", "/b.lv2"}, {"plugin_format", "lv2"}, {"category", "midi_effect"},
                       {"plugin_version", "1.2"}, {"param_count", 3}, {"worker_rss_mb", 10}, {"attempts", 1},
                       {"loaded", vr::json::array({vr::json{{"category", "effect"}, {"plugin_version", nullptr},
                                                            {"param_count", 4}}})}};
    auto out = vr::merge_loaded(std::move(answer));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].dump(),
              R"({"plugin_path":"/b.lv2","plugin_format":"lv2","category":"midi_effect","plugin_version":"1.2",)"
              R"("param_count":4})");
    vr::json failed = {{"plugin_path", "/x.so"}, {"status", "error"}, {"error", {{"message", "boom"}}}};
    out = vr::merge_loaded(std::move(failed));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0]["error"]["message"], "boom");
}

}  // namespace
