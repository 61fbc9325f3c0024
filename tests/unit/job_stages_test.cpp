// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for a job's stages: a chain's, or the record's own plugin
// fields, with automation and sidechain per stage.
#include <gtest/gtest.h>

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
