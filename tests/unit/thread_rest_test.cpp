// SPDX-License-Identifier: GPL-3.0-or-later
// linux/thread_rest.hpp's let_other_threads_rest, the wait the worker makes
// inside a call into a plugin: a thread set to work before it has done
// that work, and is resting, when the wait returns; the rendering flag of a
// call nests with it (core/plugin_clock.hpp).
#include <gtest/gtest.h>

#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <ctime>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "core/plugin_clock.hpp"
#include "linux/thread_rest.hpp"
#include "thread_watch.hpp"

namespace {

using namespace vr::test;

// A thread that waits until told, then works, then waits until told to quit.
struct worker_thread {
    std::atomic<unsigned> done{0};
    gated_thread g{[this] { done = work() | 1u; }};
    void start() { g.start(); }
};

TEST(ThreadRest, ReturnsOnceAThreadSetToWorkHasDoneItAndRests) {
    for (int round = 0; round < 5; ++round) {
        worker_thread w;
        w.start();
        vr::host::let_other_threads_rest(2, 100);
        EXPECT_NE(w.done.load(), 0u) << "round " << round;
    }
}

// The rest keeps the threads' /proc files open from one rest to the next
// (linux/task_files.cpp): a thread started since the last rest, or one started
// as another ended (the same count), is still waited for.
TEST(ThreadRest, SeesThreadsStartedAndEndedSinceTheLastRest) {
    auto idle = std::make_unique<worker_thread>();
    vr::host::let_other_threads_rest(2, 100);  // keeps idle's files
    {
        worker_thread busy;
        busy.start();
        vr::host::let_other_threads_rest(2, 100);
        EXPECT_NE(busy.done.load(), 0u) << "a thread started since the last rest";
    }
    vr::host::let_other_threads_rest(2, 100);  // keeps idle's alone again
    idle.reset();                              // ends: one thread fewer ...
    worker_thread busy;                        // ... and one more: the same count
    busy.start();
    vr::host::let_other_threads_rest(2, 100);
    EXPECT_NE(busy.done.load(), 0u) << "a thread started as another ended";
}

// In a forked child the files kept are the parent's threads': the child's
// rest waits for its own.
TEST(ThreadRest, AForkedChildWaitsForItsOwnThreads) {
    worker_thread parents;
    vr::host::let_other_threads_rest(2, 100);  // keeps the parent's thread's files
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        int failed = 0;
        for (int round = 0; round < 3; ++round) {
            auto mine = std::make_unique<worker_thread>();
            mine->start();
            vr::host::let_other_threads_rest(2, 100);
            if (mine->done.load() == 0) failed = 1;
        }
        ::_exit(failed);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "the child's rest returned before its thread had worked";
    parents.start();
    vr::host::let_other_threads_rest(2, 100);
    EXPECT_NE(parents.done.load(), 0u) << "the parent's kept files after the fork";
}

// A process with no other thread rests at once on the kernel's word
// (unshare(CLONE_THREAD) succeeds only then), reading nothing of /proc;
// one thread more and the folder is read. Where a sandbox refuses the
// call, the folder answers both.
TEST(ThreadRest, ANoOtherThreadRestAsksTheKernelNotProc) {
    const pid_t child = ::fork();  // a child of one thread, whatever ran here before
    ASSERT_GE(child, 0);
    if (child == 0) {
        const bool kernel_answers = ::syscall(SYS_unshare, CLONE_THREAD) == 0;
        vr::host::let_other_threads_rest(2, 100);
        const vr::host::rest_made single = vr::host::last_rest();
        int failed = single.checks == 1 && single.alone == kernel_answers ? 0 : 1;
        worker_thread other;
        vr::host::let_other_threads_rest(2, 100);
        if (vr::host::last_rest().alone) failed |= 2;
        ::_exit(kernel_answers ? failed : failed | 4);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    const int code = WEXITSTATUS(status);
    EXPECT_EQ(code & 1, 0) << "with no other thread: not one check on the kernel's word";
    EXPECT_EQ(code & 2, 0) << "with a thread started: the rest took the process for single";
    EXPECT_EQ(code & 4, 0) << "unshare(CLONE_THREAD) refused here: only the /proc answer was tested";
}

// A thread that sleeps `ns` at a time with a relative nanosleep, waking
// to quit (a signal cuts the sleep short).
struct sleeper {
    std::atomic<long> tid{0};
    std::atomic<bool> quit{false};
    std::thread t;
    bool asleep = false;  // seen sleeping
    explicit sleeper(long ns)
        : t([this, ns] {
              tid = ::syscall(SYS_gettid);
              const timespec step{ns / 1'000'000'000L, ns % 1'000'000'000L};
              while (!quit) ::nanosleep(&step, nullptr);
          }) {
        struct sigaction on_usr1 {};
        on_usr1.sa_handler = [](int) {};
        ::sigaction(SIGUSR1, &on_usr1, nullptr);
        asleep = until([this] { return tid != 0 && sleeping(tid); });
    }
    ~sleeper() {
        quit = true;
        ::pthread_kill(t.native_handle(), SIGUSR1);
        t.join();
    }
};

// A thread waiting, with no timeout or with one a minute ahead, where only
// another thread can end its wait, or sleeping ten times the checks'
// spacing or more (a polling loop), ends the rest at its first check.
TEST(ThreadRest, EndsAtOnceWhenNoOtherThreadCanWakeBeforeItsChecks) {
    for (bool timed : {false, true}) {
        std::mutex m;
        std::condition_variable cv;
        bool quit = false;
        std::atomic<long> tid{0};
        std::thread t([&] {
            tid = ::syscall(SYS_gettid);
            std::unique_lock lock(m);
            if (timed)
                cv.wait_for(lock, std::chrono::minutes(1), [&] { return quit; });
            else
                cv.wait(lock, [&] { return quit; });
        });
        ASSERT_TRUE(until([&] { return tid != 0 && blocked_in(tid) == SYS_futex; }));
        vr::host::let_other_threads_rest(5, 100);
        EXPECT_EQ(vr::host::last_rest().checks, 1) << (timed ? "a deadline a minute ahead" : "no timeout");
        {
            std::lock_guard lock(m);
            quit = true;
        }
        cv.notify_all();
        t.join();
    }
    {
        sleeper polling(10'000'000'000L);  // 10 s (its wake would make a second check)
        ASSERT_TRUE(polling.asleep);
        vr::host::let_other_threads_rest(5, 100);
        EXPECT_EQ(vr::host::last_rest().checks, 1) << "a relative sleep of 10 s";
    }
}

// A sleep shorter than ten times the spacing may end before the checks
// still to come: they are made.
TEST(ThreadRest, ChecksAgainForASleepThatMayEndBeforeItsChecks) {
    sleeper polling(9'000'000);  // 9 ms, under ten times 1 ms
    ASSERT_TRUE(polling.asleep);
    vr::host::let_other_threads_rest(3, 1000);
    EXPECT_GE(vr::host::last_rest().checks, 3);
}

// ran_is_rest: a thread that has been on a CPU since the first check of
// the rest before has seen what that rest followed; else the checks are
// made.
TEST(ThreadRest, ARunSinceTheRestBeforeEndsARestThatSaysSo) {
    sleeper polling(9'000'000);  // 9 ms, under ten times 1 ms
    ASSERT_TRUE(polling.asleep);
    vr::host::let_other_threads_rest(2, 100);  // the marks
    const long runs = runs_of(polling.tid);
    ASSERT_TRUE(until([&] { return runs_of(polling.tid) > runs && sleeping(polling.tid); }));
    vr::host::let_other_threads_rest(3, 1000, true);
    // 1; 2 when it woke again just as the first check came
    EXPECT_LT(vr::host::last_rest().checks, 3) << "ran since the rest before";
    vr::host::let_other_threads_rest(3, 1000, false);
    EXPECT_GE(vr::host::last_rest().checks, 3) << "not asked to count a run as a rest";
}

// A rest waiting for a busy thread checks again when that thread says it
// is about to wait (the bell), not only when its next check is due.
TEST(ThreadRest, ABusyThreadAboutToWaitRingsTheRestAwake) {
    for (bool started_since : {true, false}) {
        std::mutex m;
        std::condition_variable cv;
        bool go = started_since, quit = false;
        std::atomic<bool> stop{false};
        std::atomic<long> tid{0};
        std::thread t([&] {
            tid = ::syscall(SYS_gettid);
            std::unique_lock lock(m);
            cv.wait(lock, [&] { return go; });
            lock.unlock();
            // Busy until the rest sleeps on the bell for it (or, were it
            // never to, until the rest gives up and says stop).
            while (vr::host::rest_waits_for() != tid && !stop) work();
            vr::host::about_to_wait();  // what pinned_clocks.cpp's waits say
            lock.lock();
            cv.wait(lock, [&] { return quit; });
        });
        if (!started_since) {  // seen at rest before it works
            ASSERT_TRUE(until([&] { return tid != 0 && blocked_in(tid) == SYS_futex; }));
            vr::host::let_other_threads_rest(2, 100);
            {
                std::lock_guard lock(m);
                go = true;
            }
            cv.notify_all();
        }
        vr::host::let_other_threads_rest(2, 100);
        stop = true;
        EXPECT_GE(vr::host::last_rest().rings, 1) << (started_since ? "a thread started since the rest before"
                                                                    : "a thread seen before");
        {
            std::lock_guard lock(m);
            quit = true;
        }
        cv.notify_all();
        t.join();
    }
}

TEST(ThreadRest, TheRenderingFlagNestsWithTheCall) {
    vr::plugin_clock outer, inner;
    EXPECT_FALSE(vr::rendering_inside());
    {
        vr::inside_plugin a(outer, true);
        EXPECT_TRUE(vr::rendering_inside());
        {
            vr::inside_plugin b(inner);
            EXPECT_FALSE(vr::rendering_inside());
        }
        EXPECT_TRUE(vr::rendering_inside());
    }
    EXPECT_FALSE(vr::rendering_inside());
}

}  // namespace
