// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for render-one's job logic: plugin naming and mapping, job
// records with the flags' defaults, and what a render plays.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "core/error.hpp"
#include "jobs/job.hpp"
#include "jobs/job_wire.hpp"
#include "midi/play_plan.hpp"
#include "plugins/lv2_manifest.hpp"
#include "plugins/provenance.hpp"

namespace {

using vr::json;

vr::plugin_map map_of(std::initializer_list<const char*> flags) {
    vr::plugin_map m;
    for (const char* f : flags) m.add(f);
    return m;
}

TEST(ResolvePlugin, TellsTheFormatFromThePath) {
    EXPECT_EQ(vr::resolve_plugin("/usr/lib/vst/amsynth_vst.so").format, vr::plugin_format::vst2);
    EXPECT_EQ(vr::resolve_plugin("/x/Synth.vst3/").format, vr::plugin_format::vst3);
    auto lv2 = vr::resolve_plugin("/usr/lib/lv2/synthv1.lv2/");
    EXPECT_EQ(lv2.format, vr::plugin_format::lv2);
    EXPECT_EQ(lv2.location, "/usr/lib/lv2/synthv1.lv2");
    auto uri = vr::resolve_plugin("urn:50m30n3:plugins:SO-404");
    EXPECT_EQ(uri.format, vr::plugin_format::lv2);
    EXPECT_EQ(uri.location, "urn:50m30n3:plugins:SO-404");
    EXPECT_EQ(vr::resolve_plugin("http://synthv1.sourceforge.net/lv2").format, vr::plugin_format::lv2);
    EXPECT_EQ(vr::resolve_plugin("rel/x.so").location, std::filesystem::current_path().string() + "/rel/x.so");
    EXPECT_THROW(vr::resolve_plugin("/x/plugin.dll"), vr::record_error);
    EXPECT_THROW(vr::resolve_plugin(""), vr::record_error);
}

TEST(Lv2Bundle, ListsThePluginsItsManifestDeclares) {
    auto dir = std::filesystem::temp_directory_path() / ("vr-lv2-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "two.lv2");
    std::ofstream(dir / "two.lv2" / "manifest.ttl")
        << "@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"
           "<urn:a:one> a lv2:Plugin;\n  lv2:binary <x.so> .\n"
           "<http://b/two>\n\ta lv2:Plugin, lv2:InstrumentPlugin ;\n\tlv2:binary <x.so> .\n";
    auto uris = vr::lv2_bundle_uris((dir / "two.lv2").string());
    ASSERT_EQ(uris.size(), 2u);
    EXPECT_EQ(uris[0], "urn:a:one");
    EXPECT_EQ(uris[1], "http://b/two");
    EXPECT_THROW(vr::lv2_bundle_uris((dir / "missing.lv2").string()), vr::record_error);
    std::filesystem::remove_all(dir);
}

TEST(Lv2Manifest, ReadsPluginsAndBinariesAsManifestsAreWritten) {
    // so-synth's style (no space before ';', several plugins, one binary),
    // another prefix name for lv2core, full IRIs, comments, strings holding
    // what looks like syntax, a blank node, a binary given in two statements.
    std::string text =
        "@prefix lv2:  <http://lv2plug.in/ns/lv2core#> .\n"
        "@prefix core: <http://lv2plug.in/ns/lv2core#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "# <urn:commented> a lv2:Plugin .\n"
        "<urn:x:one> a lv2:Plugin;\n  lv2:binary   <libx.so>;\n  rdfs:seeAlso <one.ttl> .\n"
        "<urn:x:two> rdfs:comment \"a lv2:Plugin; lv2:binary <no.so> .\" ;\n"
        "  a core:InstrumentPlugin, core:Plugin ;\n"
        "  <http://lv2plug.in/ns/lv2core#binary> <sub/dir%20x/libtwo.so> .\n"
        "<urn:x:ui> a <http://lv2plug.in/ns/extensions/ui#X11UI> ; lv2:binary <ui.so> .\n"
        "<urn:x:three> lv2:port [ a lv2:InputPort ; lv2:index 0 ] ;\n"
        "  rdfs:label \"\"\"three\n. lines\"\"\" .\n"
        "<urn:x:three> a lv2:Plugin .\n"
        "<urn:x:three> lv2:binary <file:///opt/x/three.so> .\n";
    auto e = vr::parse_lv2_manifest(text, "/b/x.lv2");
    ASSERT_EQ(e.size(), 3u);
    EXPECT_EQ(e[0].uri, "urn:x:one");
    EXPECT_EQ(e[0].binary, "/b/x.lv2/libx.so");
    EXPECT_EQ(e[1].uri, "urn:x:two");
    EXPECT_EQ(e[1].binary, "/b/x.lv2/sub/dir x/libtwo.so");
    EXPECT_EQ(e[2].uri, "urn:x:three");
    EXPECT_EQ(e[2].binary, "/opt/x/three.so");
    // A plugin whose binary is elsewhere than a file has none to name.
    e = vr::parse_lv2_manifest("@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"
                               "<urn:y> a lv2:Plugin ; lv2:binary <http://example.org/y.so> .",
                               "/b/y.lv2");
    ASSERT_EQ(e.size(), 1u);
    EXPECT_EQ(e[0].binary, "");
    // Nor has one on another host, or with a NUL byte in its name.
    for (const char* iri : {"file://host/y.so", "file://", "y%00.so", "file:///y%00.so"}) {
        e = vr::parse_lv2_manifest(std::string("<urn:y> a <http://lv2plug.in/ns/lv2core#Plugin> ; "
                                               "<http://lv2plug.in/ns/lv2core#binary> <") + iri + "> .",
                                   "/b/y.lv2");
        ASSERT_EQ(e.size(), 1u) << iri;
        EXPECT_EQ(e[0].binary, "") << iri;
    }
    e = vr::parse_lv2_manifest("<urn:y> a <http://lv2plug.in/ns/lv2core#Plugin> ; "
                               "<http://lv2plug.in/ns/lv2core#binary> <file://localhost/opt/y.so> .", "/b");
    EXPECT_EQ(e.at(0).binary, "/opt/y.so");
    // Neither a manifest without a plugin nor garbage is a plugin list.
    EXPECT_TRUE(vr::parse_lv2_manifest("@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"
                                       "<urn:s> a lv2:Specification .", "/b").empty());
    EXPECT_TRUE(vr::parse_lv2_manifest(std::string("\0<<;;[[(\"", 9), "/b").empty());
}

TEST(Lv2Manifest, FindsTheBundleOfAUriWhereJuceLooks) {
    auto dir = std::filesystem::temp_directory_path() / ("vr-lv2-find-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "a" / "first.lv2");
    std::filesystem::create_directories(dir / "a" / "spec.lv2");
    std::filesystem::create_directories(dir / "b" / "second.lv2");
    std::ofstream(dir / "a" / "spec.lv2" / "manifest.ttl") << "<urn:spec> a <urn:Specification> .\n";
    std::ofstream(dir / "a" / "first.lv2" / "manifest.ttl")
        << "<urn:p:1> a <http://lv2plug.in/ns/lv2core#Plugin> ; <http://lv2plug.in/ns/lv2core#binary> <p.so> .\n";
    std::ofstream(dir / "b" / "second.lv2" / "manifest.ttl")
        << "<urn:p:1> a <http://lv2plug.in/ns/lv2core#Plugin> .\n"
           "<urn:p:2> a <http://lv2plug.in/ns/lv2core#Plugin> .\n";
    std::vector<std::string> folders{(dir / "missing").string(), (dir / "a").string(), (dir / "b").string()};
    EXPECT_EQ(vr::find_lv2_bundle("urn:p:1", folders), (dir / "a" / "first.lv2").string());
    EXPECT_EQ(vr::find_lv2_bundle("urn:p:2", folders), (dir / "b" / "second.lv2").string());
    EXPECT_EQ(vr::find_lv2_bundle("urn:p:3", folders), std::nullopt);
    // The real one on this machine, and its binary through provenance.
    EXPECT_EQ(vr::find_lv2_bundle("http://synthv1.sourceforge.net/lv2", vr::lv2_search_folders()),
              "/usr/lib/lv2/synthv1.lv2");
    EXPECT_EQ(vr::plugin_binary_path(vr::resolve_plugin("http://synthv1.sourceforge.net/lv2")),
              "/usr/lib/lv2/synthv1.lv2/synthv1.so");
    EXPECT_EQ(vr::plugin_binary_path(vr::resolve_plugin("urn:50m30n3:plugins:SO-kl5")),
              "/usr/lib/lv2/so-synth.lv2/libsosynth.so");
    EXPECT_EQ(vr::plugin_binary_path(vr::resolve_plugin("urn:nobody:has:this")), "");
    std::filesystem::remove_all(dir);
}

TEST(PluginMap, PicksByPathThenIdThenFormatThenDefault) {
    auto m = map_of({"/p/default.so", "fxp=/p/fxp.so", "amsy=/p/amsy.so"});
    EXPECT_EQ(m.plugin_for(json{{"plugin_path", "/p/own.so"}, {"preset_format", "fxp"}}).location, "/p/own.so");
    EXPECT_EQ(m.plugin_for(json{{"preset_format", "fxp"}, {"preset_plugin_id", "amsy"}}).location, "/p/amsy.so");
    EXPECT_EQ(m.plugin_for(json{{"preset_format", "fxp"}, {"preset_plugin_id", "XXXX"}}).location, "/p/fxp.so");
    EXPECT_EQ(m.plugin_for(json::object()).location, "/p/default.so");
}

TEST(PluginMap, NamesTheFlagToAddWhenNothingCoversAJob) {
    auto m = map_of({"fxp=/p/fxp.so"});
    try {
        m.plugin_for(json{{"preset_format", "serum2"}, {"preset_plugin_id", "Serum2"}});
        FAIL() << "no error";
    } catch (const vr::record_error& e) {
        EXPECT_NE(std::string(e.what()).find("--plugin serum2=PATH"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("--plugin Serum2=PATH"), std::string::npos) << e.what();
    }
}

TEST(PluginMap, RefusesTwoDefaultsOrARepeatedKey) {
    vr::plugin_map m;
    m.add("/a.so");
    EXPECT_THROW(m.add("/b.so"), vr::usage_error);
    m.add("fxp=/c.so");
    EXPECT_THROW(m.add("fxp=/d.so"), vr::usage_error);
    EXPECT_THROW(m.add("vst=") , vr::usage_error);
    // A URI with '=' is a plugin, not a mapping.
    vr::plugin_map u;
    u.add("http://example.org/synth?x=1");
    EXPECT_EQ(u.plugin_for(json::object()).location, "http://example.org/synth?x=1");
}

TEST(RenderJob, FlagsFillWhatTheRecordLacks) {
    vr::render_defaults d;
    d.note = 48;
    d.tail_s = 0.5;
    d.sample_rate = 44100;
    auto job = vr::make_render_job(json{{"output_path", "/o/a.wav"}, {"velocity", 90}}, d, map_of({"/p/a.so"}));
    EXPECT_FALSE(job.midi_mode);
    EXPECT_EQ(job.note, 48);
    EXPECT_EQ(job.velocity, 90);
    EXPECT_EQ(job.tail_s, 0.5);
    EXPECT_EQ(job.sample_rate, 44100);
    EXPECT_EQ(job.format, vr::sample_format::pcm24);
    EXPECT_EQ(job.flac_level, 5);  // libsndfile's
    EXPECT_EQ(job.isolation, vr::isolation_mode::automatic);
    EXPECT_EQ(job.first().plugin.location, "/p/a.so");

    auto npy = vr::make_render_job(json{{"output_path", "/o/a.npy"}}, d, map_of({"/p/a.so"}));
    EXPECT_EQ(npy.format, vr::sample_format::float32);

    d.midi_path = "/m/song.mid";
    auto midi = vr::make_render_job(json{{"output_path", "/o/a.wav"}}, d, map_of({"/p/a.so"}));
    EXPECT_TRUE(midi.midi_mode);
    EXPECT_EQ(midi.midi_path, "/m/song.mid");
    // A record's note wins over --midi.
    EXPECT_FALSE(vr::make_render_job(json{{"output_path", "/o/a.wav"}, {"note", 60}}, d, map_of({"/p/a.so"})).midi_mode);
}

TEST(RenderJob, RefusesBadFields) {
    vr::render_defaults d;
    auto p = map_of({"/p/a.so"});
    auto bad = [&](json r) { EXPECT_THROW(vr::make_render_job(r, d, p), vr::record_error) << r.dump(); };
    bad(json::object());  // no output_path
    bad(json{{"output_path", "/o/a.wav"}, {"note", 128}});
    bad(json{{"output_path", "/o/a.wav"}, {"velocity", 0}});
    bad(json{{"output_path", "/o/a.wav"}, {"duration_s", -1}});
    bad(json{{"output_path", "/o/a.wav"}, {"tail_s", "soon"}});
    bad(json{{"output_path", "/o/a.wav"}, {"channels", 3}});
    bad(json{{"output_path", "/o/a.flac"}, {"sample_format", "float32"}});
    bad(json{{"output_path", "/o/a.mp3"}});
    bad(json{{"output_path", "/o/a.wav"}, {"set_params", {{"level", 2}}}});
    bad(json{{"output_path", "/o/a.wav"}, {"set_params", json::array()}});
    bad(json{{"output_path", "/o/a.wav"}, {"preset_path", 3}});
}

TEST(RenderJob, FlacLevelIsAWholeNumberFrom0To8TheFlagsGiveByDefault) {
    vr::render_defaults d;
    d.flac_level = 2;
    auto p = map_of({"/p/a.so"});
    auto level = [&](json r) { return vr::make_render_job(r, d, p).flac_level; };
    EXPECT_EQ(level(json{{"output_path", "/o/a.flac"}}), 2);
    EXPECT_EQ(level(json{{"output_path", "/o/a.flac"}, {"flac_level", 0}}), 0);
    EXPECT_EQ(level(json{{"output_path", "/o/a.flac"}, {"flac_level", 8}}), 8);
    EXPECT_EQ(level(json{{"output_path", "/o/a.flac"}, {"flac_level", 7.0}}), 7);
    auto says = [&](json r, const std::string& what) {
        try {
            vr::make_render_job(r, d, p);
            ADD_FAILURE() << "accepted: " << r.dump();
        } catch (const vr::record_error& e) {
            EXPECT_EQ(std::string(e.what()), what) << r.dump();
        }
    };
    says(json{{"output_path", "/o/a.flac"}, {"flac_level", 9}}, "field 'flac_level' is 9, outside 0..8");
    says(json{{"output_path", "/o/a.flac"}, {"flac_level", -1}}, "field 'flac_level' is -1, outside 0..8");
    says(json{{"output_path", "/o/a.flac"}, {"flac_level", 2.5}},
         "field 'flac_level' must be a whole number, not a number (2.5)");
    says(json{{"output_path", "/o/a.flac"}, {"flac_level", "5"}},
         "field 'flac_level' must be a whole number, not a string (\"5\")");
    // Checked for every output, so that a bad batch fails before its first .flac.
    says(json{{"output_path", "/o/a.wav"}, {"flac_level", 9}}, "field 'flac_level' is 9, outside 0..8");
}

TEST(RenderJob, IsolationIsOneOfFourModesTheFlagsGiveByDefault) {
    using vr::isolation_mode;
    for (auto m : {isolation_mode::automatic, isolation_mode::reset, isolation_mode::fork, isolation_mode::fresh})
        EXPECT_EQ(vr::parse_isolation(vr::to_string(m)), m);
    EXPECT_STREQ(vr::to_string(isolation_mode::automatic), "auto");
    EXPECT_STREQ(vr::to_string(isolation_mode::fresh), "fresh");
    vr::render_defaults d;
    d.isolation = isolation_mode::fork;
    auto p = map_of({"/p/a.so"});
    auto mode = [&](json r) { return vr::make_render_job(r, d, p).isolation; };
    EXPECT_EQ(mode(json{{"output_path", "/o/a.wav"}}), isolation_mode::fork);
    EXPECT_EQ(mode(json{{"output_path", "/o/a.wav"}, {"isolation", "fresh"}}), isolation_mode::fresh);
    EXPECT_EQ(mode(json{{"output_path", "/o/a.wav"}, {"isolation", "auto"}}), isolation_mode::automatic);
    for (const json& bad : {json("Fresh"), json("automatic"), json(""), json(2)}) {
        try {
            vr::make_render_job(json{{"output_path", "/o/a.wav"}, {"isolation", bad}}, d, p);
            ADD_FAILURE() << "accepted: " << bad.dump();
        } catch (const vr::record_error& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find(bad.is_string() ? "not one of auto, reset, fork, fresh" : "field 'isolation'"),
                      std::string::npos)
                << msg;
        }
    }
}

TEST(RenderJob, AResultEchoesTheFlacLevelOfAFlacOnlyAndNeverTheIsolation) {
    vr::render_defaults d;
    d.flac_level = 8;
    d.isolation = vr::isolation_mode::fresh;
    auto p = map_of({"/p/a.so"});
    json flac{{"output_path", "/o/a.flac"}};
    vr::put_job_settings(vr::make_render_job(flac, d, p), flac);
    EXPECT_EQ(flac.at("flac_level"), 8);
    EXPECT_FALSE(flac.contains("isolation"));  // the worker writes the mode the job got
    // Read again with other defaults: the same level.
    EXPECT_EQ(vr::make_render_job(flac, vr::render_defaults{}, p).flac_level, 8);
    // The same record as a .wav or .ogg job: the level describes nothing there.
    for (const char* other : {"/o/a.wav", "/o/a.ogg", "/o/a.npy"}) {
        json r = flac;
        r["output_path"] = other;
        if (std::string(other).ends_with(".npy")) r.erase("sample_format");
        vr::put_job_settings(vr::make_render_job(r, d, p), r);
        EXPECT_FALSE(r.contains("flac_level")) << other;
    }
}

TEST(RenderJob, TheWorkerGetsTheCheckedJobFieldForField) {
    vr::render_defaults d;
    d.shape.tail_auto = true;
    d.shape.silence_db = -72.5;
    d.shape.trim_silence = true;
    d.shape.fade_out_ms = 12.25;
    d.shape.normalize = vr::parse_normalize("lufs:-16.5");
    d.shape.true_peak_ceiling_dbtp = -1.5;
    d.shape.allow_nonfinite = true;
    const json record{{"output_path", "/o/a.flac"}, {"program_index", 7}, {"velocity", 90}, {"duration_s", 0.1 + 0.2},
                      {"set_params", {{"cutoff", 0.25}, {"3", 1.0 / 3}}}, {"channels", 1},
                      {"preset_path", "/p/x.fxp"}, {"sample_format", "pcm16"}, {"flac_level", 1},
                      {"isolation", "fresh"}, {"seed", 4000000000u}, {"input_path", "/i/dry.wav"},
                      {"downmix", true}, {"sidechain_path", "/i/key.wav"}, {"automation_step", 8},
                      {"automation", {{"cutoff", {{0, 0.25}, {1.5, 1.0 / 3}}}}}, {"sysex_path", "/s/cart.syx"}};
    const vr::render_job job = vr::make_render_job(record, d, map_of({"/p/a.vst3"}));
    EXPECT_EQ(job.seed, 4000000000u);
    EXPECT_EQ(job.input_path, "/i/dry.wav");
    EXPECT_TRUE(job.downmix);
    EXPECT_FALSE(job.plays_note);  // an input, and no note asked for
    // Through the socket's text form, as the supervisor sends it.
    const vr::render_job back = vr::from_wire(json::parse(vr::to_wire(job).dump()));
    // Every field, compared through the wire form and the settings a result records.
    EXPECT_EQ(vr::to_wire(back), vr::to_wire(job));
    json a, b;
    vr::put_job_settings(job, a);
    vr::put_job_settings(back, b);
    EXPECT_EQ(a, b);
    EXPECT_EQ(back.first().plugin.format, vr::plugin_format::vst3);
    EXPECT_EQ(back.first().program_index, 7);
    EXPECT_EQ(back.duration_s, 0.1 + 0.2);  // the very double
    EXPECT_EQ(back.first().params.size(), 2u);
    EXPECT_EQ(back.first().params[1].second, 1.0 / 3);
    EXPECT_EQ(back.first().sidechain_path, "/i/key.wav");
    EXPECT_EQ(back.first().sysex_path, "/s/cart.syx");
    EXPECT_EQ(back.automation_step, 8);
    ASSERT_EQ(back.first().moves.size(), 1u);
    EXPECT_EQ(back.first().moves[0].key, "cutoff");
    EXPECT_EQ(back.first().moves[0].points[1].value, 1.0 / 3);
    EXPECT_EQ(back.format, vr::sample_format::pcm16);
    EXPECT_EQ(back.flac_level, 1);
    EXPECT_EQ(back.isolation, vr::isolation_mode::fresh);
    EXPECT_EQ(back.shape.normalize.what, vr::normalize_target::kind::lufs);
    EXPECT_EQ(back.shape.normalize.level, -16.5);
    EXPECT_TRUE(back.shape.tail_auto);
    EXPECT_FALSE(back.midi_duration_s);
    // What the supervisor's probe cache knows goes along: its verdicts and
    // the plugin binaries' hashes it read for their keys.
    vr::render_job known = job;
    known.probe_verdicts = json::array({json()});
    known.plugin_sha256s = json::array({"0f0e"});
    const vr::render_job known_back = vr::from_wire(json::parse(vr::to_wire(known).dump()));
    EXPECT_EQ(known_back.plugin_sha256s, known.plugin_sha256s);
    EXPECT_EQ(known_back.probe_verdicts, known.probe_verdicts);

    d.midi_path = "/m/song.mid";
    const auto midi = vr::make_render_job(json{{"output_path", "/o/b.wav"}, {"midi_duration_s", 2.5}}, d,
                                          map_of({"urn:x:y"}));
    const auto midi_back = vr::from_wire(vr::to_wire(midi));
    EXPECT_TRUE(midi_back.midi_mode);
    EXPECT_EQ(midi_back.midi_path, "/m/song.mid");
    EXPECT_EQ(midi_back.midi_duration_s, 2.5);
    EXPECT_EQ(midi_back.first().plugin.format, vr::plugin_format::lv2);
    EXPECT_FALSE(midi_back.first().program_index);
    EXPECT_THROW(vr::from_wire(json{{"plugin", "/p/a.so"}}), json::exception);
}

TEST(RenderJob, OnePluginKeyPerPluginRateAndBlockSize) {
    vr::render_defaults d;
    auto p = map_of({"/p/a.so"});
    auto key = [&](json r) { return vr::key_of(vr::make_render_job(r, d, p)); };
    const json a{{"output_path", "/o/a.wav"}};
    EXPECT_EQ(key(a), key(json{{"output_path", "/o/b.wav"}, {"note", 30}}));
    EXPECT_NE(key(a), key(json{{"output_path", "/o/a.wav"}, {"sample_rate_hz", 44100}}));
    EXPECT_NE(key(a), key(json{{"output_path", "/o/a.wav"}, {"block_size", 64}}));
    EXPECT_NE(key(a), key(json{{"output_path", "/o/a.wav"}, {"plugin_path", "/p/b.so"}}));
    EXPECT_EQ(key(a), (vr::plugin_key{"/p/a.so", 48000, 512}));
}

TEST(PlayPlan, ANoteIsHeldThenReleased) {
    auto plan = vr::note_plan(60, 100, 0.5, 0.25, 48000);
    EXPECT_EQ(plan.frames, 36000);
    ASSERT_EQ(plan.messages.size(), 2u);
    EXPECT_EQ(plan.messages[0].frame, 0);
    EXPECT_EQ(plan.messages[0].bytes, (std::vector<std::uint8_t>{0x90, 60, 100}));
    EXPECT_EQ(plan.messages[1].frame, 24000);
    EXPECT_EQ(plan.messages[1].bytes, (std::vector<std::uint8_t>{0x80, 60, 0}));
    // No tail: the note-off falls past the end and is left out.
    EXPECT_EQ(vr::note_plan(60, 100, 0.5, 0, 48000).messages.size(), 1u);
}

TEST(PlayPlan, MidiDropsProgramChangesAndBankSelectsUnlessAsked) {
    vr::midi_song song{1, 1, 1.0, {}};
    song.events = {{0.0, 0, {0xB0, 0, 1}},  {0.0, 0, {0xB0, 32, 0}}, {0.0, 0, {0xC0, 5}},
                   {0.0, 0, {0xB0, 7, 100}}, {0.5, 0, {0x90, 60, 90}}, {0.75, 255, {0xF0, 1, 0xF7}},
                   {1.0, 0, {0x80, 60, 0}}, {2.0, 0, {0x90, 62, 90}}};
    auto plan = vr::midi_plan(song, 1.0, 0.5, 1000, false);
    EXPECT_EQ(plan.frames, 1500);
    ASSERT_EQ(plan.messages.size(), 4u);
    EXPECT_EQ(plan.messages[0].bytes, (std::vector<std::uint8_t>{0xB0, 7, 100}));
    EXPECT_EQ(plan.messages[1].frame, 500);
    EXPECT_EQ(plan.messages[2].bytes, (std::vector<std::uint8_t>{0xF0, 1, 0xF7}));
    EXPECT_EQ(plan.messages[3].frame, 1000);
    EXPECT_EQ(vr::midi_plan(song, 1.0, 0.5, 1000, true).messages.size(), 7u);
}

}  // namespace
