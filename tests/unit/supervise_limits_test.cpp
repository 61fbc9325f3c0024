// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for lib/supervise's time limits and retries: a job's limit, the
// allowance for loading its plugin (--load-timeout), what is retried.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "supervise/supervise.hpp"
#include "supervise/supervise_status.hpp"
#include "supervise_fake.hpp"

namespace {

namespace fs = std::filesystem;
using namespace supervise_test;

TEST(Supervise, DefaultTimeoutGrowsWithTheAudioAndTheLoad) {
    EXPECT_DOUBLE_EQ(vr::default_timeout_s(1.0), 40.0);
    EXPECT_DOUBLE_EQ(vr::default_timeout_s(-5), 30.0);
    EXPECT_GT(vr::default_timeout_s(3600), 3600 * 10.0);
    EXPECT_DOUBLE_EQ(vr::load_allowance_s(), 120.0);
    EXPECT_DOUBLE_EQ(vr::load_allowance_s(2.0), 20.0);
}

TEST(Supervise, ALoadIsAllowedForOnlyOnTheFirstJobOfAPluginInAWorker) {
    vr::supervise_options o;
    o.timeout_s = 0.3;
    o.kill_grace_s = 0.1;
    vr::supervisor s(o, fake_worker());
    // 0.6 s: within 0.3 s plus the allowance for a first load...
    auto r = s.run(job({{"do", "sleep"}, {"plugin_load_s", 0.0}}));
    EXPECT_EQ(r["status"], "ok");
    // ...but not for a job of a plugin loaded already...
    r = s.run(job({{"do", "sleep"}}));
    EXPECT_EQ(r["error"]["message"], "timeout after 0.3 s");
    // ...nor for a render that is slow once the load is over...
    r = s.run(job({{"do", "sleep-render"}, {"plugin_load_s", 0.0}}));
    EXPECT_EQ(r["error"]["message"], "timeout after 0.3 s");
    // ...and a fresh worker loading it again gets 10 s + 5 x its load time.
    r = s.run(job({{"do", "sleep"}}));
    EXPECT_EQ(r["status"], "ok");
}

TEST(Supervise, TheLoadAllowanceIsLoadTimeoutWhenGiven) {
    vr::supervise_options o;
    o.timeout_s = 0.3;
    o.load_timeout_s = 0;
    o.kill_grace_s = 0.1;
    vr::supervisor s(o, fake_worker());
    // 0.6 s of loading, with no allowance beyond the job's own 0.3 s.
    auto r = s.run(job({{"do", "sleep"}, {"plugin_load_s", 0.0}}));
    EXPECT_EQ(r["error"]["message"], "timeout after 0.3 s (loading the plugin)");
    o.load_timeout_s = 2;
    vr::supervisor given(o, fake_worker());
    r = given.run(job({{"do", "sleep"}, {"plugin_load_s", 0.0}}));
    EXPECT_EQ(r["status"], "ok");
}

TEST(Supervise, ALoadThatTimedOutIsRetriedInAFreshWorker) {
    vr::supervise_options o;
    o.retries = 2;
    o.timeout_s = 0.2;
    o.load_timeout_s = 0.1;
    o.kill_grace_s = 0.1;
    vr::supervisor s(o, fake_worker());
    auto r = s.run(job({{"do", "hang-load"}}));
    EXPECT_EQ(r["error"]["message"], "timeout after 0.3 s (loading the plugin)");
    EXPECT_EQ(r["attempts"], 3);
    // A load that hung once: the second, in a fresh worker, renders.
    auto flag = fs::temp_directory_path() / ("vr-supervise-load-" + std::to_string(::getpid()));
    fs::remove(flag);
    vr::supervisor flaky(o, fake_worker(flag.string()));
    r = flaky.run(job({{"do", "hang-load-once"}}));
    EXPECT_EQ(r["status"], "ok");
    EXPECT_EQ(r["attempts"], 2);
    fs::remove(flag);
}

TEST(Supervise, AHangIgnoringSigtermIsKilledAtItsLimit) {
    vr::supervise_options o;
    o.timeout_s = 0.5;
    o.kill_grace_s = 0.3;
    vr::supervisor s(o, fake_worker());
    s.run(job({{"n", 0}}));  // the plugin is loaded: no allowance for it
    auto start = std::chrono::steady_clock::now();
    auto r = s.run(job({{"do", "hang"}}));
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(r["error"]["message"], "timeout after 0.5 s");
    EXPECT_FALSE(r["error"].contains("signal"));
    EXPECT_GE(took, 0.5);
    EXPECT_LT(took, 3.0);
    EXPECT_EQ(s.run(job({{"n", 1}}))["status"], "ok");
}

TEST(Supervise, AHangInTheFirstJobOfAWorkerIsKilledAtTheJobsOwnLimit) {
    vr::supervise_options o;
    o.timeout_s = 0.5;
    o.kill_grace_s = 0.3;
    vr::supervisor s(o, fake_worker());
    auto start = std::chrono::steady_clock::now();
    auto r = s.run(job({{"do", "hang"}}));
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // The load allowance ended when the worker said the render began.
    EXPECT_EQ(r["error"]["message"], "timeout after 0.5 s");
    EXPECT_LT(took, 3.0);
}

TEST(Supervise, RetriesACrashInAFreshWorker) {
    vr::supervise_options o;
    o.retries = 2;
    vr::supervisor s(o, fake_worker());
    auto r = s.run(job({{"do", "segv"}}));
    EXPECT_EQ(r["status"], "error");
    EXPECT_EQ(r["attempts"], 3);
    // A crash the worker survived (in a child of its own) is retried too.
    r = s.run(job({{"do", "child-crash"}}));
    EXPECT_EQ(r["attempts"], 3);
    // A flaky plugin: the second try renders.
    auto flag = fs::temp_directory_path() / ("vr-supervise-" + std::to_string(::getpid()));
    fs::remove(flag);
    vr::supervisor flaky(o, fake_worker(flag.string()));
    r = flaky.run(job({{"do", "crash-once"}}));
    EXPECT_EQ(r["status"], "ok");
    EXPECT_EQ(r["attempts"], 2);
    fs::remove(flag);
}

TEST(Supervise, ATimeoutIsNotRetried) {
    vr::supervise_options o;
    o.retries = 3;
    o.timeout_s = 0.2;
    o.kill_grace_s = 0.1;
    vr::supervisor s(o, fake_worker());
    s.run(job({{"n", 0}}));
    EXPECT_EQ(s.run(job({{"do", "hang"}}))["attempts"], 1);
}

}  // namespace
