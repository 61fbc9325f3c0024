// SPDX-License-Identifier: GPL-3.0-or-later
// linux/settle.hpp's let_other_threads_rest, the wait the worker makes
// inside a call into a plugin: a thread set to work before it has done
// that work, and is resting, when the wait returns; the rendering flag of a
// call nests with it (core/plugin_clock.hpp).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "core/plugin_clock.hpp"
#include "linux/settle.hpp"

namespace {

// Work that takes a while on a CPU (no sleep, no lock), well under the
// wait's 50 ms of CPU time: two million steps of a generator the compiler
// cannot drop.
unsigned work() {
    unsigned x = 1;
    for (int i = 0; i < 2'000'000; ++i) x = x * 1664525u + 1013904223u;
    return x;
}

TEST(ThreadRest, ReturnsOnceAThreadSetToWorkHasDoneItAndRests) {
    for (int round = 0; round < 5; ++round) {
        std::mutex m;
        std::condition_variable cv;
        bool go = false, quit = false;
        std::atomic<unsigned> done{0};
        std::thread t([&] {
            std::unique_lock lock(m);
            cv.wait(lock, [&] { return go; });
            lock.unlock();
            done = work() | 1u;
            lock.lock();
            cv.wait(lock, [&] { return quit; });
        });
        {
            std::lock_guard lock(m);
            go = true;
        }
        cv.notify_all();
        vr::host::let_other_threads_rest(2, 100);
        EXPECT_NE(done.load(), 0u) << "round " << round;
        {
            std::lock_guard lock(m);
            quit = true;
        }
        cv.notify_all();
        t.join();
    }
}

// A thread that waits until told, then works, then waits until told to quit.
struct worker_thread {
    std::mutex m;
    std::condition_variable cv;
    bool go = false, quit = false;
    std::atomic<unsigned> done{0};
    std::thread t;
    worker_thread()
        : t([this] {
              std::unique_lock lock(m);
              cv.wait(lock, [this] { return go; });
              lock.unlock();
              done = work() | 1u;
              lock.lock();
              cv.wait(lock, [this] { return quit; });
          }) {}
    void start() {
        {
            std::lock_guard lock(m);
            go = true;
        }
        cv.notify_all();
    }
    ~worker_thread() {
        if (!go) start();
        {
            std::lock_guard lock(m);
            quit = true;
        }
        cv.notify_all();
        t.join();
    }
};

// The rest keeps the threads' /proc files open from one rest to the next
// (linux/settle.cpp): a thread started since the last rest, or one started
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
