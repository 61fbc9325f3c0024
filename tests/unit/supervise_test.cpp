// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for lib/supervise: worker processes that answer, crash, exit,
// hang or grow, with handlers standing in for render-one's plugin code.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/tool.hpp"
#include "supervise/interrupts.hpp"
#include "supervise/stale_temps.hpp"
#include "supervise/supervise.hpp"
#include "supervise/supervise_status.hpp"
#include "supervise_fake.hpp"

namespace fs = std::filesystem;

namespace {

using namespace supervise_test;

TEST(Supervise, SignalNamesAndMessages) {
    EXPECT_EQ(vr::signal_name(SIGSEGV), "SIGSEGV");
    EXPECT_EQ(vr::signal_name(SIGABRT), "SIGABRT");
    EXPECT_EQ(vr::signal_name(200), "signal 200");
    EXPECT_EQ(vr::death_message(W_EXITCODE(0, SIGSEGV)), "the plugin crashed (signal SIGSEGV)");
    EXPECT_EQ(vr::death_message(W_EXITCODE(3, 0)), "the plugin ended the render process (exit status 3)");
    EXPECT_NE(vr::death_message(W_EXITCODE(0, SIGKILL)).find("SIGKILL"), std::string::npos);
    EXPECT_EQ(vr::timeout_message(12), "timeout after 12.0 s");
    EXPECT_EQ(vr::timeout_message(2.5), "timeout after 2.5 s");
}

// The line a worker writes before it dies of SIGINT or SIGTERM from
// outside, and nothing else, names a signal.
TEST(Supervise, OnlyTheWorkersEndedBySignalLineNamesASignal) {
    auto named = [](const std::string& line) { return vr::interrupts::ended_by_signal(line.data(), line.size()); };
    EXPECT_EQ(named(R"({"ended_by_signal":15})"), 15);
    EXPECT_EQ(named(R"({"ended_by_signal":2})"), 2);
    EXPECT_EQ(named(std::string(vr::interrupts::ended_by_signal_key) + "9}"), 9);
    for (const char* other : {R"({"ended_by_signal":})", R"({"ended_by_signal":1x})", R"({"ended_by_signal":150})",
                              R"({"ended_by_signal":15)", R"({"record":{"ended_by_signal":15}})",
                              R"({"rendering_s":1.5})", ""})
        EXPECT_EQ(named(other), 0) << other;
}

TEST(Supervise, RssOfThisProcess) {
    double mb = vr::rss_mb();
    EXPECT_GT(mb, 1.0);
    EXPECT_LT(mb, 100000.0);
    EXPECT_EQ(vr::rss_mb(999999999), 0.0);
}

TEST(Supervise, AnswersInOrderFromOneWorkerInItsOwnGroup) {
    int spare[2];
    ASSERT_EQ(::pipe(spare), 0);  // a descriptor the worker must not inherit
    vr::supervisor s({}, fake_worker());
    pid_t first = 0;
    for (int i = 0; i < 5; ++i) {
        auto r = s.run(job({{"n", i}, {"keep", "x"}}));
        EXPECT_EQ(r["n"], i);
        EXPECT_EQ(r["keep"], "x");
        EXPECT_EQ(r["status"], "ok");
        EXPECT_EQ(r["attempts"], 1);
        EXPECT_GT(r["worker_rss_mb"].get<double>(), 0.0);
        EXPECT_EQ(r["pid"], r["pgid"]);
        EXPECT_TRUE(r["stdin_is_null"].get<bool>());
        EXPECT_FALSE(r["fd_above_3_open"].get<bool>());
        if (i == 0) first = r["pid"];
        EXPECT_EQ(r["pid"], first) << "one warm worker for every job";
    }
    EXPECT_EQ(s.worker_pid(), first);
    ::close(spare[0]);
    ::close(spare[1]);
}

TEST(Supervise, TheWorkerIsSentTheJobAloneAndItsAnswerIsPutInTheRecord) {
    // A worker that answers with what it was sent, under "sent".
    vr::supervisor s({}, [](int fd) {
        return vr::serve_jobs(fd, [](const vr::json& job, vr::json&& record, const vr::rendering_callback&) {
            vr::worker_result r;
            r.record = {{"was_empty", record.empty()}, {"sent", job}, {"status", "ok"}, {"mine", 2}};
            return r;
        });
    });
    vr::supervised_job j{{{"mine", 1}, {"big", std::string(1000, 'x')}, {"status", "new"}}, {{"wire", true}},
                         "/nonexistent/x.wav", "", {"plugin", 48000, 512}};
    const vr::json r = s.run(j);
    EXPECT_TRUE(r["was_empty"].get<bool>());
    EXPECT_EQ(r["sent"], (vr::json{{"wire", true}})) << "the record is not sent";
    EXPECT_EQ(r["big"], std::string(1000, 'x'));
    EXPECT_EQ(r["mine"], 2);
    // The record's own fields keep their places; what the worker added follows.
    std::vector<std::string> keys;
    for (const auto& [k, v] : r.items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"mine", "big", "status", "was_empty", "sent", "worker_rss_mb",
                                              "attempts"}));
}

TEST(Supervise, AnAnswersFieldReplacesTheRecordsWholeInItsPlace) {
    vr::json record = {{"chain", {{{"plugin", "a"}, {"stale", 1}}, {{"plugin", "b"}}}},
                       {"error", {{"old", 1}}},
                       {"kept", "x"}};
    vr::put_answer(record, {{"chain", {{{"plugin", "a"}, {"frames", 1}}, {{"plugin", "b"}, {"frames", 2}}}},
                            {"error", {{"message", "m"}}},
                            {"new", true}});
    EXPECT_EQ(record["chain"], (vr::json{{{"plugin", "a"}, {"frames", 1}}, {{"plugin", "b"}, {"frames", 2}}}))
        << "a list replaces, never merges";
    EXPECT_EQ(record["error"], (vr::json{{"message", "m"}})) << "an object replaces, never merges";
    std::vector<std::string> keys;
    for (const auto& [k, v] : record.items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"chain", "error", "kept", "new"}));
}

TEST(Supervise, ACrashExitOrAbortCostsOnlyItsJob) {
    // A test run started in the background by a shell without job control
    // ignores SIGINT, and a worker keeps a signal it inherits ignored (as
    // a render-one under nohup should): raise-int needs the default here.
    struct default_signals {
        void (*was_int)(int) = std::signal(SIGINT, SIG_DFL);
        void (*was_term)(int) = std::signal(SIGTERM, SIG_DFL);
        ~default_signals() {
            std::signal(SIGINT, was_int);
            std::signal(SIGTERM, was_term);
        }
    } defaults;
    vr::supervisor s({}, fake_worker());
    auto ok = s.run(job({{"n", 0}}));
    struct fault {
        const char* what;
        const char* message;
        const char* signal;
    };
    for (auto f : {fault{"segv", "the plugin crashed (signal SIGSEGV)", "SIGSEGV"},
                   fault{"abort", "the plugin crashed (signal SIGABRT)", "SIGABRT"},
                   fault{"raise-term", "the plugin crashed (signal SIGTERM)", "SIGTERM"},
                   fault{"raise-int", "the plugin crashed (signal SIGINT)", "SIGINT"},
                   fault{"exit", "the plugin ended the render process (exit status 3)", nullptr}}) {
        auto r = s.run(job({{"do", f.what}, {"keep", 1}}));
        EXPECT_EQ(r["status"], "error") << f.what;
        EXPECT_EQ(r["keep"], 1);
        EXPECT_EQ(r["error"]["message"], f.message);
        EXPECT_EQ(r["error"]["tool"], vr::tool_name());
        if (f.signal)
            EXPECT_EQ(r["error"]["signal"], f.signal);
        else
            EXPECT_FALSE(r["error"].contains("signal"));
        EXPECT_EQ(r["attempts"], 1);
        EXPECT_EQ(s.worker_pid(), 0) << "the dead worker is replaced lazily";
        auto next = s.run(job({{"n", 1}}));
        EXPECT_EQ(next["status"], "ok");
        EXPECT_NE(next["pid"], ok["pid"]);
    }
}

TEST(Supervise, ACrashedWritersTemporaryGoesButNeverThroughALinkBelowTheRoot) {
    const fs::path dir = fs::temp_directory_path() / ("vr-supervise-root-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "root" / "real");
    fs::create_directories(dir / "outside");
    fs::create_directory_symlink(dir / "outside", dir / "root" / "linked");
    vr::supervisor s({}, fake_worker());
    // A worker writes a temporary named with its pid into folder (below the
    // root) and dies; returns where the temporary was.
    auto crash_in = [&](const std::string& folder) {
        const std::string pid = std::to_string(s.run(job({{"n", 0}}))["pid"].get<int>());
        const fs::path temp = fs::canonical(dir / "root" / folder) / (".x.wav.vr-tmp-" + pid + "-0");
        vr::supervised_job j = job({{"do", "segv-writing"}, {"temp", temp.string()}},
                                   (dir / "root" / folder / "x.wav").string());
        j.output_root = (dir / "root").string();
        EXPECT_EQ(s.run(j)["status"], "error");
        return temp;
    };
    const fs::path removed = crash_in("real");
    EXPECT_FALSE(fs::exists(removed)) << "the dead writer's temporary is removed";
    const fs::path kept = crash_in("linked");
    EXPECT_TRUE(fs::exists(kept)) << "nothing is removed through a link below the root";
    fs::remove_all(dir);
}

TEST(Supervise, MaxRssRecyclesTheWorkerBetweenJobs) {
    vr::supervise_options o;
    o.max_rss_mb = 0.001;
    vr::supervisor s(o, fake_worker());
    auto a = s.run(job({{"n", 0}}));
    EXPECT_EQ(s.worker_pid(), 0);
    EXPECT_FALSE(alive(a["pid"].get<pid_t>()));
    auto b = s.run(job({{"n", 1}}));
    EXPECT_EQ(a["status"], "ok");
    EXPECT_EQ(b["status"], "ok");
    EXPECT_NE(a["pid"], b["pid"]);
}

TEST(Supervise, TheWorkerEndsWithTheSupervisor) {
    pid_t pid;
    {
        vr::supervisor s({}, fake_worker());
        pid = s.run(job({{"n", 0}}))["pid"];
        EXPECT_TRUE(alive(pid));
    }
    EXPECT_FALSE(alive(pid));
}

class StaleTemps : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("vr-stale-" + std::to_string(::getpid()));
        fs::create_directories(dir);
        pid_t child = ::fork();
        if (child == 0) ::_exit(0);
        ::waitpid(child, nullptr, 0);
        dead = child;
    }
    void TearDown() override { fs::remove_all(dir); }
    fs::path touch(const std::string& name) {
        std::ofstream(dir / name) << "partial";
        return dir / name;
    }
    fs::path dir;
    pid_t dead = 0;
};

TEST_F(StaleTemps, RemovesOnlyTheTemporariesOfGoneWriters) {
    std::string me = std::to_string(::getpid()), gone = std::to_string(dead);
    auto mine = touch(".a.wav.vr-tmp-" + me + "-0");
    auto stale = touch(".a.wav.vr-tmp-" + gone + "-3");
    auto other = touch(".b.wav.vr-tmp-" + gone + "-0");
    auto result = touch("a.wav");
    auto hidden = touch(".a.wav");
    auto odd = touch(".a.wav.vr-tmp-x-0");
    EXPECT_EQ(vr::remove_stale_temps(dir.string(), "a.wav"), 1u);
    EXPECT_FALSE(fs::exists(stale));
    EXPECT_TRUE(fs::exists(other)) << "another file's temporary, not asked for";
    EXPECT_EQ(vr::remove_stale_temps(dir.string()), 1u);
    EXPECT_FALSE(fs::exists(other));
    for (const auto& kept : {mine, result, hidden, odd}) EXPECT_TRUE(fs::exists(kept)) << kept;
}

TEST_F(StaleTemps, APidReusedByALaterProcessDoesNotKeepATemporary) {
    // Written before this process started: its writer was another process
    // that had the same pid.
    auto old = touch(".a.wav.vr-tmp-" + std::to_string(::getpid()) + "-0");
    timespec times[2] = {{1000000000, 0}, {1000000000, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, old.c_str(), times, 0), 0);
    EXPECT_EQ(vr::remove_stale_temps(dir.string()), 1u);
    EXPECT_FALSE(fs::exists(old));
}

TEST_F(StaleTemps, SweepsEachFolderOnce) {
    vr::stale_temps sweeper;
    auto first = touch(".a.wav.vr-tmp-" + std::to_string(dead) + "-0");
    sweeper.sweep_folder_of((dir / "a.wav").string());
    EXPECT_FALSE(fs::exists(first));
    auto second = touch(".b.wav.vr-tmp-" + std::to_string(dead) + "-0");
    sweeper.sweep_folder_of((dir / "b.wav").string());
    EXPECT_TRUE(fs::exists(second)) << "a folder is swept when first seen only";
    EXPECT_EQ(vr::remove_stale_temps("/nonexistent/folder"), 0u);
}

}  // namespace
