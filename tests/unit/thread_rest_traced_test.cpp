// SPDX-License-Identifier: GPL-3.0-or-later
// linux/thread_rest.hpp's let_other_threads_rest under a tracer: a traced
// thread's CPU time ends no rest (linux/task_files.hpp's traced).
#include <gtest/gtest.h>

#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <ctime>

#include <atomic>
#include <memory>

#include "linux/raw_clock.hpp"
#include "linux/task_files.hpp"
#include "linux/thread_rest.hpp"
#include "thread_watch.hpp"

namespace {

using namespace vr::test;

// Work until the calling thread has used ms of CPU time.
void work_for_cpu_ms(long ms) {
    const std::int64_t end = vr::host::raw_now_ns(CLOCK_THREAD_CPUTIME_ID) + ms * 1'000'000L;
    while (vr::host::raw_now_ns(CLOCK_THREAD_CPUTIME_ID) < end) work();
}

// A tracer of thread tid: a forked child that seizes it (PTRACE_SEIZE
// stops it nowhere) until the tracer is destroyed.
struct tracer_of {
    pid_t child = -1;
    int hold = -1;  // closed: the child lets go and exits
    int error = 0;  // ptrace's errno in the child, 0 when it holds the thread
    explicit tracer_of(long tid) {
        int said[2], held[2];
        if (::pipe(said) != 0 || ::pipe(held) != 0) {
            error = errno;
            return;
        }
        child = ::fork();
        if (child == 0) {
            ::close(said[0]);
            ::close(held[1]);
            const int e = ::ptrace(PTRACE_SEIZE, static_cast<pid_t>(tid), nullptr, nullptr) == 0 ? 0 : errno;
            (void)!::write(said[1], &e, sizeof e);
            char c;
            while (::read(held[0], &c, 1) > 0) {
            }
            ::_exit(0);
        }
        ::close(said[1]);
        ::close(held[0]);
        hold = held[1];
        if (child < 0 || ::read(said[0], &error, sizeof error) != static_cast<long>(sizeof error)) error = EIO;
        ::close(said[0]);
    }
    ~tracer_of() {
        if (hold >= 0) ::close(hold);
        if (child > 0) ::waitpid(child, nullptr, 0);
    }
};

// A traced thread's CPU time counts its tracer's stops (strace -f stops it
// at each system call: a JUCE plugin's message thread, starting, used over
// 50 ms so, 1 or 2 untraced), so the others' 50 ms of CPU time end a rest
// only while the busy thread has no tracer. A thread that works 150 ms of
// CPU time: untraced, the rest ends on the 50 ms; traced, once it has
// done its work.
TEST(ThreadRest, TheCpuTimeOfATracedThreadEndsNoRest) {
    for (bool with_tracer : {false, true}) {
        std::atomic<bool> done{false};
        gated_thread t([&] {
            work_for_cpu_ms(150);
            done = true;
        });
        ASSERT_TRUE(until([&] { return t.tid != 0 && blocked_in(t.tid) == SYS_futex; }));
        std::unique_ptr<tracer_of> tracer;
        if (with_tracer) {
            tracer = std::make_unique<tracer_of>(t.tid);
            EXPECT_EQ(tracer->error, 0) << "the tracer could not seize the thread: " << std::strerror(tracer->error);
        }
        EXPECT_EQ(vr::host::traced(t.tid), with_tracer && tracer->error == 0);
        t.start();
        vr::host::let_other_threads_rest(2, 100);
        const vr::host::rest_made made = vr::host::last_rest();
        if (with_tracer) {
            EXPECT_TRUE(done) << "the rest ended before the traced thread had done its work";
            EXPECT_FALSE(made.by_cpu);
        } else {
            EXPECT_TRUE(made.by_cpu) << "an untraced thread's 50 ms of CPU time did not end the rest";
        }
    }
}

}  // namespace
