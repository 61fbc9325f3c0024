// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for a job's stages: a chain's, or the record's own plugin
// fields, with automation, sidechain and SysEx file per stage.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/error.hpp"
#include "jobs/chain.hpp"
#include "jobs/job.hpp"
#include "jobs/job_wire.hpp"

namespace {

using vr::json;

vr::plugin_map no_plugins() { return {}; }

// fn throws a record_error whose message holds `part`.
template <class F>
void expect_record_error(F fn, const std::string& part) {
    try {
        fn();
        ADD_FAILURE() << "no record_error; expected one saying: " << part;
    } catch (const vr::record_error& e) {
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
}

}  // namespace

TEST(JobStages, AutomationAndSidechainBelongToTheirChainStage) {
    vr::render_defaults d;
    const json chain = json::array(
        {json{{"plugin_path", "/p/a.vst3"}},
         json{{"plugin_path", "/p/b.vst3"}, {"sidechain_path", "/i/key.wav"},
              {"automation", {{"mix", {{0, 0.0}, {2, 1.0}}}}}}});
    const auto job = vr::make_render_job(json{{"output_path", "/o/a.wav"}, {"chain", chain}}, d, no_plugins());
    ASSERT_EQ(job.stages.size(), 2u);
    EXPECT_TRUE(job.stages[0].moves.empty());
    EXPECT_TRUE(job.stages[0].sidechain_path.empty());
    EXPECT_FALSE(job.stages[0].changes());
    EXPECT_EQ(job.stages[1].sidechain_path, "/i/key.wav");
    ASSERT_EQ(job.stages[1].moves.size(), 1u);
    EXPECT_EQ(job.stages[1].moves[0].points[1].time_s, 2.0);
    EXPECT_TRUE(job.stages[1].changes());
    // The result, read again as a job, is the same job.
    json result{{"output_path", "/o/a.wav"}, {"chain", chain}};
    vr::put_job_settings(job, result);
    EXPECT_EQ(result["chain"][1]["automation"], (json{{"mix", {{0.0, 0.0}, {2.0, 1.0}}}}));
    EXPECT_EQ(result["chain"][1]["sidechain_path"], "/i/key.wav");
    EXPECT_EQ(result["automation_step"], 32);
    EXPECT_EQ(vr::to_wire(vr::make_render_job(result, d, no_plugins())), vr::to_wire(job));
    // A stage's fields at the top of a record with a chain: which stage?
    for (const char* f : {"automation", "sidechain_path"}) {
        json bad{{"output_path", "/o/a.wav"}, {"chain", chain}};
        bad[f] = f == std::string("automation") ? json{{"mix", {{0, 0.5}}}} : json("/i/key.wav");
        expect_record_error([&] { vr::make_render_job(bad, d, no_plugins()); },
                            std::string("field '") + f + "' and a chain");
    }
    // An automation error names the stage and the parameter.
    json unsorted = chain;
    unsorted[1]["automation"] = {{"mix", {{1, 0.0}, {0.5, 1.0}}}};
    expect_record_error([&] { vr::make_render_job(json{{"output_path", "/o/a.wav"}, {"chain", unsorted}}, d,
                                                  no_plugins()); },
                        "chain stage 1: automation: parameter 'mix': point 1 at 0.5 s comes before point 0 at 1 s");
}

TEST(JobStages, TheRecordsOwnFieldsAndTheFlagsMakeTheFirstStage) {
    vr::render_defaults d;
    d.sidechain_path = "/i/flag-key.wav";
    d.moves = vr::read_automation(json{{"0", {{0, 0.5}}}}, "automation");
    vr::plugin_map plugins;
    plugins.add("/p/a.vst3");
    d.then_plugins = {"/p/b.vst3"};
    const auto job = vr::make_render_job(json{{"output_path", "/o/a.wav"}}, d, plugins);
    ASSERT_EQ(job.stages.size(), 2u);
    EXPECT_EQ(job.first().sidechain_path, "/i/flag-key.wav");
    ASSERT_EQ(job.first().moves.size(), 1u);
    EXPECT_TRUE(job.stages[1].moves.empty());  // --then's stages get none
    // A record's own automation wins over the flag's.
    const auto own = vr::make_render_job(
        json{{"output_path", "/o/a.wav"}, {"automation", {{"cutoff", {{0, 0.25}}}}}}, d, plugins);
    EXPECT_EQ(own.first().moves[0].key, "cutoff");
    expect_record_error([&] { vr::make_render_job(json{{"output_path", "/o/a.wav"}, {"automation_step", 0}}, d,
                                                  plugins); },
                        "automation_step");
}

TEST(JobStages, ASysexFileIsTheStagesMadeAbsoluteAndGoesBackIntoTheResult) {
    const std::string here = std::filesystem::current_path().string();
    vr::plugin_map plugins;
    plugins.add("/p/a.vst3");
    vr::render_defaults d;
    // The record's own, relative: made absolute against the working folder.
    const json record{{"output_path", "/o/a.wav"}, {"sysex_path", "carts/../rom1a.syx"}};
    const auto job = vr::make_render_job(record, d, plugins);
    ASSERT_EQ(job.stages.size(), 1u);
    EXPECT_EQ(job.first().sysex_path, here + "/rom1a.syx");
    EXPECT_TRUE(job.first().changes_beyond_params());
    EXPECT_TRUE(job.first().changes());
    json result = record;
    vr::put_job_settings(job, result);
    EXPECT_EQ(result["sysex_path"], here + "/rom1a.syx");
    EXPECT_EQ(vr::to_wire(vr::make_render_job(result, d, plugins)), vr::to_wire(job));
    // Through the socket's text form, as the supervisor sends it.
    EXPECT_EQ(vr::from_wire(json::parse(vr::to_wire(job).dump())).first().sysex_path, here + "/rom1a.syx");
    // Without one, the result has none.
    json plain{{"output_path", "/o/a.wav"}};
    const auto none = vr::make_render_job(plain, d, plugins);
    EXPECT_TRUE(none.first().sysex_path.empty());
    EXPECT_FALSE(none.first().changes());
    vr::put_job_settings(none, plain);
    EXPECT_FALSE(plain.contains("sysex_path"));

    // --sysex: the default of a record without its own, made absolute too; not --then's stages'.
    d.sysex_path = "flag.syx";
    d.then_plugins = {"/p/b.vst3"};
    const auto flagged = vr::make_render_job(json{{"output_path", "/o/a.wav"}}, d, plugins);
    ASSERT_EQ(flagged.stages.size(), 2u);
    EXPECT_EQ(flagged.first().sysex_path, here + "/flag.syx");
    EXPECT_TRUE(flagged.stages[1].sysex_path.empty());
    EXPECT_EQ(vr::make_render_job(json{{"output_path", "/o/a.wav"}, {"sysex_path", "/s/own.syx"}}, d, plugins)
                  .first()
                  .sysex_path,
              "/s/own.syx");
    expect_record_error([&] { vr::make_render_job(json{{"output_path", "/o/a.wav"}, {"sysex_path", 7}}, d, plugins); },
                        "sysex_path");
}

TEST(JobStages, ASysexFileBelongsToItsChainStage) {
    vr::render_defaults d;
    const json chain = json::array({json{{"plugin_path", "/p/a.vst3"}, {"set_params", {{"0", 0.5}}}},
                                    json{{"plugin_path", "/p/b.vst3"}, {"sysex_path", "/s/../s/voice.syx"}}});
    const auto job = vr::make_render_job(json{{"output_path", "/o/a.wav"}, {"chain", chain}}, d, no_plugins());
    ASSERT_EQ(job.stages.size(), 2u);
    EXPECT_TRUE(job.stages[0].sysex_path.empty());
    EXPECT_EQ(job.stages[1].sysex_path, "/s/voice.syx");
    // set_params alone change no more than the current program's values; a SysEx file does.
    EXPECT_TRUE(job.stages[0].changes());
    EXPECT_FALSE(job.stages[0].changes_beyond_params());
    EXPECT_TRUE(job.stages[1].changes_beyond_params());
    json result{{"output_path", "/o/a.wav"}, {"chain", chain}};
    vr::put_job_settings(job, result);
    EXPECT_FALSE(result["chain"][0].contains("sysex_path"));
    EXPECT_EQ(result["chain"][1]["sysex_path"], "/s/voice.syx");
    EXPECT_FALSE(result.contains("sysex_path"));
    // The result, read again as a job, is the same job; through the wire, the same stages.
    EXPECT_EQ(vr::to_wire(vr::make_render_job(result, d, no_plugins())), vr::to_wire(job));
    const auto back = vr::from_wire(json::parse(vr::to_wire(job).dump()));
    EXPECT_TRUE(back.stages[0].sysex_path.empty());
    EXPECT_EQ(back.stages[1].sysex_path, "/s/voice.syx");
    // At the top of a record with a chain: which stage?
    json bad{{"output_path", "/o/a.wav"}, {"chain", chain}, {"sysex_path", "/s/voice.syx"}};
    expect_record_error([&] { vr::make_render_job(bad, d, no_plugins()); }, "field 'sysex_path' and a chain");
    // --sysex is for a job without a chain: a chain's stages name their own.
    d.sysex_path = "/s/flag.syx";
    const auto flagged = vr::make_render_job(json{{"output_path", "/o/a.wav"}, {"chain", chain}}, d, no_plugins());
    EXPECT_TRUE(flagged.stages[0].sysex_path.empty());
    EXPECT_EQ(flagged.stages[1].sysex_path, "/s/voice.syx");
}
