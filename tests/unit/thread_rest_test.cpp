// SPDX-License-Identifier: GPL-3.0-or-later
// linux/settle.hpp's let_other_threads_rest, the wait the worker makes
// inside a call into a plugin: a thread set to work before it has done
// that work, and is resting, when the wait returns; the rendering flag of a
// call nests with it (core/plugin_clock.hpp).
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
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
