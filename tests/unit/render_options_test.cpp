// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for render-one's command line (lib/jobs/options): what each
// flag sets in the job defaults and the worker's and supervisor's options,
// and what is refused before any job is read.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/tool.hpp"
#include "jobs/options.hpp"

namespace {

vr::render_options read(std::vector<std::string> args) {
    args.insert(args.begin(), "render-one");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    vr::cli cli("[< jobs]", "test");
    vr::declare_render_options(cli);
    EXPECT_TRUE(cli.parse(static_cast<int>(argv.size()), argv.data()));
    return vr::read_render_options(cli);
}

void refused(std::vector<std::string> args, const std::string& says) {
    try {
        read(args);
        ADD_FAILURE() << "accepted: " << testing::PrintToString(args);
    } catch (const vr::usage_error& e) {
        EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
}

TEST(RenderOptions, WithoutFlagsABatchOfIsolatedJobsWithTheManPagesDefaults) {
    auto o = read({});
    EXPECT_EQ(o.mode, vr::render_mode::batch);
    EXPECT_TRUE(o.isolate);
    EXPECT_TRUE(o.plugins.empty());
    EXPECT_EQ(o.defaults.note, 60);
    EXPECT_EQ(o.defaults.velocity, 100);
    EXPECT_EQ(o.defaults.duration_s, 1.0);
    EXPECT_EQ(o.defaults.tail_s, 1.0);
    EXPECT_EQ(o.defaults.sample_rate, 48000);
    EXPECT_EQ(o.defaults.block_size, 512);
    EXPECT_EQ(o.defaults.channels, 2);
    EXPECT_FALSE(o.defaults.format);
    EXPECT_EQ(o.defaults.flac_level, 5);
    EXPECT_EQ(o.defaults.isolation, vr::isolation_mode::automatic);
    EXPECT_TRUE(o.field_flags.empty());  // defaults given by no flag shadow nothing
    EXPECT_EQ(o.defaults.shape.silence_db, -90.0);
    EXPECT_FALSE(o.defaults.shape.tail_auto);
    EXPECT_LT(o.supervision.timeout_s, 0);  // derived from each job's length
    EXPECT_EQ(o.supervision.retries, 0);
    EXPECT_FALSE(o.worker.report_params);
    EXPECT_EQ(o.worker.job_timeout_s, 0);
}

TEST(RenderOptions, FlagsSetJobDefaultsAndTheWorkersAndSupervisorsOptions) {
    auto o = read({"--plugin", "/p/a.so", "--note", "48", "--velocity", "1", "--tail", "auto", "--silence-db",
                   "-60", "--sample-format", "pcm16", "--normalize", "peak:-1", "--timeout", "5", "--retries", "2",
                   "--max-rss", "300", "--no-isolate", "--sidecar", "--ignore-plugin-id", "--midi-program-changes",
                   "--skip-existing"});
    EXPECT_EQ(o.defaults.note, 48);
    EXPECT_EQ(o.defaults.velocity, 1);
    EXPECT_TRUE(o.defaults.shape.tail_auto);
    EXPECT_EQ(o.defaults.shape.silence_db, -60.0);
    EXPECT_EQ(o.defaults.format, vr::sample_format::pcm16);
    EXPECT_EQ(o.defaults.shape.normalize.what, vr::normalize_target::kind::peak);
    EXPECT_EQ(o.supervision.timeout_s, 5.0);
    EXPECT_EQ(o.supervision.retries, 2);
    EXPECT_EQ(o.supervision.max_rss_mb, 300.0);
    EXPECT_FALSE(o.isolate);
    EXPECT_EQ(o.worker.job_timeout_s, 5.0);  // in place, only a forked child's render can be stopped
    EXPECT_TRUE(o.worker.report_params);     // sidecars carry params
    EXPECT_TRUE(o.worker.ignore_plugin_id);
    EXPECT_TRUE(o.worker.midi_program_changes);
    EXPECT_TRUE(o.skip_existing);
    EXPECT_TRUE(o.sidecar);
    EXPECT_EQ(o.plugins.plugin_for(vr::json::object()).location, "/p/a.so");
}

TEST(RenderOptions, FlacLevelAndIsolationAreJobDefaultsThatFieldsShadow) {
    auto o = read({"--flac-level", "0", "--isolation", "fresh", "--note", "40"});
    EXPECT_EQ(o.defaults.flac_level, 0);
    EXPECT_EQ(o.defaults.isolation, vr::isolation_mode::fresh);
    using flag = std::pair<std::string, std::string>;
    EXPECT_EQ(o.field_flags, (std::vector<flag>{{"note", "note"}, {"flac-level", "flac_level"}, {"isolation", "isolation"}}));
    EXPECT_EQ(read({"--flac-level", "8"}).defaults.flac_level, 8);
    for (const char* mode : {"auto", "reset", "fork", "fresh"})
        EXPECT_STREQ(vr::to_string(read({"--isolation", mode}).defaults.isolation), mode);
}

TEST(RenderOptions, ModesAndTheirPaths) {
    auto single = read({"-o", "/tmp/x.wav", "--save-state", "/tmp/s.bin"});
    EXPECT_EQ(single.mode, vr::render_mode::single);
    EXPECT_EQ(single.output_path, "/tmp/x.wav");
    EXPECT_EQ(single.worker.save_state_path, "/tmp/s.bin");
    EXPECT_EQ(read({"--plugin", "/p/a.so", "--list-programs"}).mode, vr::render_mode::list_programs);
    auto bank = read({"--plugin", "/p/a.so", "--export-bank", "/tmp/b.fxb"});
    EXPECT_EQ(bank.mode, vr::render_mode::export_bank);
    EXPECT_EQ(bank.export_path, "/tmp/b.fxb");
    auto programs = read({"--plugin", "/p/a.so", "--export-programs", "/tmp/d", "--export-params"});
    EXPECT_EQ(programs.mode, vr::render_mode::export_programs);
    EXPECT_TRUE(programs.export_params);
}

TEST(RenderOptions, RefusesValuesOutOfRangeAndFlagsThatDoNotGoTogether) {
    refused({"--note", "128"}, "--note must be between 0 and 127");
    refused({"--velocity", "0"}, "--velocity must be between 1 and 127");
    refused({"--duration", "1e9"}, "--duration must be between");
    refused({"--channels", "3"}, "--channels must be between 1 and 2");
    refused({"--sample-rate", "100"}, "--sample-rate must be between");
    refused({"--block-size", "8"}, "--block-size must be between");
    refused({"--silence-db", "3"}, "--silence-db must be between");
    refused({"--tail", "soon"}, "--tail must be auto or seconds");
    refused({"--tail", "-1"}, "--tail must be auto or seconds");
    refused({"--normalize", "loud"}, "--normalize:");
    refused({"--sample-format", "pcm8"}, "--sample-format:");
    refused({"--flac-level", "9"}, "--flac-level must be between 0 and 8");
    refused({"--flac-level", "-1"}, "--flac-level must be between 0 and 8");
    refused({"--isolation", "sometimes"},
            "--isolation: isolation 'sometimes' is not one of auto, reset, fork, fresh, restore, process");
    refused({"--isolation", "Fork"}, "not one of auto, reset, fork, fresh");
    refused({"--retries", "101"}, "--retries must be between 0 and 100");
    refused({"--timeout", "1", "--job-timeout", "1"}, "--job-timeout is --timeout");
    refused({"--save-state", "/tmp/s"}, "--save-state goes with -o");
    refused({"--list-programs"}, "need --plugin PATH");
    refused({"--plugin", "/p/a.so", "--list-programs", "-o", "/tmp/x.wav"}, "need --plugin PATH and no --output");
    refused({"--plugin", "/p/a.so", "--list-programs", "--export-bank", "/tmp/b"}, "go one at a time");
    refused({"--plugin", "/p/a.so", "--plugin", "/p/b.so"}, "");
    refused({"stray"}, "takes no operands");
}

}  // namespace
