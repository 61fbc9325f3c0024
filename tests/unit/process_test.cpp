// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for lib/core/process: waiting for and reaping children, with
// signals arriving meanwhile. Children are held by pipes, never by sleeps.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "core/process.hpp"

namespace {

// A child that waits until the write end of the pipe closes, then exits
// with `code`.
struct held_child {
    pid_t pid = -1;
    int release_fd = -1;

    explicit held_child(int code) {
        int fds[2];
        if (::pipe(fds) != 0) return;
        pid = ::fork();
        if (pid == 0) {
            ::close(fds[1]);
            char c;
            while (::read(fds[0], &c, 1) > 0) {
            }
            ::_exit(code);
        }
        ::close(fds[0]);
        release_fd = fds[1];
    }
    void release() {
        if (release_fd >= 0) ::close(release_fd);
        release_fd = -1;
    }
    ~held_child() {
        release();
        if (pid > 0) ::waitpid(pid, nullptr, 0);  // a test that failed early leaves no zombie
    }
};

TEST(Process, ReapGivesTheExitStatusOnce) {
    held_child child(7);
    ASSERT_GT(child.pid, 0);
    EXPECT_FALSE(vr::child_ended(child.pid));
    child.release();
    int status = vr::reap_child(child.pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 7);
    // Reaped: no such child any more.
    EXPECT_EQ(vr::reap_child(child.pid), 0);
    EXPECT_FALSE(vr::child_ended(child.pid));
    child.pid = -1;
}

TEST(Process, ReapGivesTheSignalThatKilledIt) {
    held_child child(0);
    ASSERT_GT(child.pid, 0);
    ::kill(child.pid, SIGKILL);
    int status = vr::reap_child(child.pid);
    ASSERT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), SIGKILL);
    child.pid = -1;
}

TEST(Process, AnEndedChildStaysUnreapedUntilReaped) {
    held_child child(3);
    ASSERT_GT(child.pid, 0);
    // Still held: no wait for it ends in its end.
    EXPECT_FALSE(vr::wait_child_ended(child.pid, 0));
    EXPECT_FALSE(vr::wait_child_ended(child.pid, 3600, [] { return true; }));
    child.release();
    EXPECT_TRUE(vr::wait_child_ended(child.pid, 3600));
    // A zombie: ended, and still ours to reap (its pid not reused).
    EXPECT_TRUE(vr::child_ended(child.pid));
    EXPECT_TRUE(vr::wait_child_ended(child.pid, 0));
    EXPECT_EQ(WEXITSTATUS(vr::reap_child(child.pid)), 3);
    child.pid = -1;
}

volatile sig_atomic_t g_interruptions = 0;
extern "C" void count_interruption(int) { g_interruptions = g_interruptions + 1; }

// The number of the system call a thread of this process is blocked in
// (/proc/self/task/TID/syscall), -1 while it runs, -2 when the kernel
// does not say.
long blocked_in(pid_t tid) {
    std::FILE* f = std::fopen(("/proc/self/task/" + std::to_string(tid) + "/syscall").c_str(), "r");
    if (!f) return -2;
    char text[32] = {};
    long n = std::fscanf(f, "%31s", text) == 1 ? -1 : -2;
    std::fclose(f);
    if (text[0] >= '0' && text[0] <= '9') n = std::strtol(text, nullptr, 10);
    return n;
}

TEST(Process, ASignalDuringTheWaitDoesNotEndIt) {
    // A handler without SA_RESTART, as the supervisor installs: the signal
    // makes the blocked waitpid return EINTR.
    struct sigaction sa {}, old {};
    sa.sa_handler = count_interruption;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGUSR1, &sa, &old);
    g_interruptions = 0;
    held_child child(5);
    ASSERT_GT(child.pid, 0);
    // Once this thread is blocked in its wait, a helper interrupts it and
    // only then lets the child end: the wait cannot have ended before.
    const pid_t waiter = static_cast<pid_t>(::syscall(SYS_gettid));
    const pthread_t waiter_thread = ::pthread_self();
    bool shown = true;
    std::thread helper([&] {
        for (;;) {
            long call = blocked_in(waiter);
            if (call == -2) {
                shown = false;
                break;
            }
            if (call == SYS_wait4 || call == SYS_waitid) {
                ::pthread_kill(waiter_thread, SIGUSR1);
                break;
            }
        }
        child.release();
    });
    int status = vr::reap_child(child.pid);
    helper.join();
    ::sigaction(SIGUSR1, &old, nullptr);
    child.pid = -1;
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 5);
    if (!shown) GTEST_SKIP() << "this kernel does not show /proc/self/task/TID/syscall";
    EXPECT_EQ(g_interruptions, 1);
}

TEST(Process, TheWaitForAChildsEndSleepsOnItsPidfdNotOnATimer) {
    held_child child(4);
    ASSERT_GT(child.pid, 0);
    // The helper looks at what the waiting thread is blocked in: poll (on
    // the child's pidfd, woken by its end) or a timed sleep (a tick to
    // poll at; what the wait did before, up to 2 ms late every time).
    const pid_t waiter = static_cast<pid_t>(::syscall(SYS_gettid));
    long seen = -1;
    std::thread helper([&] {
        for (;;) {
            long call = blocked_in(waiter);
            if (call == -2 || call == SYS_poll || call == SYS_ppoll || call == SYS_clock_nanosleep ||
                call == SYS_nanosleep) {
                seen = call;
                break;
            }
        }
        child.release();
    });
    EXPECT_TRUE(vr::wait_child_ended(child.pid, 3600));
    helper.join();
    EXPECT_EQ(WEXITSTATUS(vr::reap_child(child.pid)), 4);
    child.pid = -1;
    if (seen == -2) GTEST_SKIP() << "this kernel does not show /proc/self/task/TID/syscall";
    EXPECT_TRUE(seen == SYS_poll || seen == SYS_ppoll) << "blocked in system call " << seen;
}

TEST(Process, ADeadlineCountsDown) {
    vr::deadline passed(-1);
    EXPECT_LE(passed.seconds_left(), -1.0);
    vr::deadline far(3600);
    EXPECT_GT(far.seconds_left(), 3500.0);
    EXPECT_LE(far.seconds_left(), 3600.0);
}

}  // namespace
