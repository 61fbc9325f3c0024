// SPDX-License-Identifier: GPL-3.0-or-later
// linux/wait_notes.hpp: what a thread notes of the wait it blocks in, as
// render-one's interposed waits note it (here the tests say it themselves
// around their waits, as linux/pinned_clocks.cpp does around the real
// ones), and a rest that takes a note in place of the thread's /proc files
// only while nothing may have woken it.
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "linux/process_id.hpp"
#include "linux/raw_clock.hpp"
#include "linux/thread_rest.hpp"
#include "linux/wait_notes.hpp"

namespace {

using vr::host::note_hint;
using vr::host::read_note;
using vr::host::wait_kind;
using vr::host::wait_said;

constexpr long ms = 1'000'000;

long now_ns(clockid_t clock) {
    timespec t{};
    ::clock_gettime(clock, &t);
    return t.tv_sec * 1'000'000'000L + t.tv_nsec;
}

// Until f() (at most 10 s: a broken wait fails, it does not hang).
template <typename F>
bool until(F&& f) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < give_up) {
        if (f()) return true;
        std::this_thread::yield();
    }
    return false;
}

unsigned work() {
    unsigned x = 1;
    for (int i = 0; i < 2'000'000; ++i) x = x * 1664525u + 1013904223u;
    return x;
}

// A thread that notes `said` and then blocks (on a condition, whatever the
// note says: the note is what is read) until told to work or to quit; it
// works, then blocks again under the same note.
struct noting_thread {
    std::mutex m;
    std::condition_variable cv;
    int orders = 0, waits = 0;
    bool quit = false;
    std::atomic<long> tid{0};
    std::atomic<unsigned> done{0};
    std::thread t;
    explicit noting_thread(const wait_said& said)
        : t([this, said] {
              tid = ::syscall(SYS_gettid);
              std::unique_lock lock(m);
              for (int seen = 0; !quit;) {
                  if (orders != seen) {
                      seen = orders;
                      lock.unlock();
                      done = work() | 1u;
                      lock.lock();
                      continue;
                  }
                  ++waits;
                  vr::host::wait_begins(said);
                  cv.wait(lock);
                  vr::host::wait_ended();
              }
          }) {}
    // Tells it, as render-one's pthread_cond_broadcast does: the real call,
    // then condition_signalled; under the lock, so that the wait it begins
    // next begins after both.
    void tell(bool to_quit) {
        std::lock_guard lock(m);
        if (to_quit)
            quit = true;
        else
            ++orders;
        cv.notify_all();
        vr::host::condition_signalled();
    }
    // Whether it is blocked in its wait number n or later (it holds the
    // lock until the wait lets it go).
    bool waiting(int n) {
        std::lock_guard lock(m);
        return waits >= n;
    }
    unsigned long seq() {
        note_hint hint;
        return read_note(tid, hint, 0, 0).seq;
    }
    ~noting_thread() {
        tell(true);
        t.join();
    }
};

bool parked(long tid, long ahead_ns, long asked_ns) {
    note_hint hint;
    return read_note(tid, hint, ahead_ns, asked_ns).parked;
}

wait_said condition(bool timed = false, long deadline_ns = 0) {
    wait_said said;
    said.kind = wait_kind::condition;
    said.timed = timed;
    said.clock = CLOCK_MONOTONIC;
    said.deadline_ns = deadline_ns;
    return said;
}

wait_said sleep_for(long ns) {
    wait_said said;
    said.kind = wait_kind::relative_sleep;
    said.asked_ns = ns;
    return said;
}

// Where a signal may pass by render-one unseen (a sanitized build: the
// runtime keeps pthread_cond_signal), a condition wait is not noted.
TEST(WaitNotes, AConditionWaitIsParkedUntilAConditionIsSignalled) {
    noting_thread t(condition());
    ASSERT_TRUE(until([&] { return t.waiting(1); }));
    const unsigned long seq = t.seq();
    EXPECT_EQ(seq, vr::host::conditions_seen() ? 1u : 0u);
    EXPECT_EQ(parked(t.tid, 10 * ms, 10 * ms), vr::host::conditions_seen())
        << "a wait with no timeout, nothing signalled since it began";
    vr::host::condition_signalled();  // any condition, by any thread
    EXPECT_FALSE(parked(t.tid, 10 * ms, 10 * ms)) << "a condition signalled since it began";
    EXPECT_EQ(t.seq(), seq) << "the note itself has not moved";
    t.tell(false);
    ASSERT_TRUE(until([&] { return t.done != 0 && t.waiting(2); }));
    EXPECT_EQ(t.seq(), vr::host::conditions_seen() ? 3u : 0u) << "ended, and begun again";
    EXPECT_EQ(parked(t.tid, 10 * ms, 10 * ms), vr::host::conditions_seen()) << "its next wait, begun after the signal";
}

// A deadline on a clock that cannot be read is never far enough: the
// thread is checked again, not taken to be parked.
TEST(WaitNotes, ADeadlineOnAClockThatCannotBeReadIsNeverFarEnough) {
    const std::int64_t far = std::int64_t{1} << 62;
    EXPECT_TRUE(vr::host::ends_at_least(CLOCK_MONOTONIC, far, 10 * ms));
    EXPECT_FALSE(vr::host::ends_at_least(static_cast<clockid_t>(-12345), far, 10 * ms));
}

TEST(WaitNotes, ADeadlineOrASleepParksOnlyWhenFarEnough) {
    {
        noting_thread t(condition(true, now_ns(CLOCK_MONOTONIC) + 60'000 * ms));
        ASSERT_TRUE(until([&] { return t.waiting(1); }));
        EXPECT_EQ(parked(t.tid, 10 * ms, 10 * ms), vr::host::conditions_seen()) << "a deadline a minute ahead";
        EXPECT_FALSE(parked(t.tid, 120'000 * ms, 10 * ms)) << "a deadline before the checks end";
    }
    {
        noting_thread t(sleep_for(10 * ms));
        ASSERT_TRUE(until([&] { return t.waiting(1); }));
        EXPECT_TRUE(parked(t.tid, 0, 10 * ms)) << "a sleep asked for ten times the spacing";
        EXPECT_FALSE(parked(t.tid, 0, 11 * ms)) << "a shorter one";
    }
    {
        wait_said until_then;
        until_then.kind = wait_kind::sleep_until;
        until_then.clock = CLOCK_REALTIME;
        until_then.deadline_ns = now_ns(CLOCK_REALTIME) + 60'000 * ms;
        noting_thread t(until_then);
        ASSERT_TRUE(until([&] { return t.waiting(1); }));
        EXPECT_TRUE(parked(t.tid, 10 * ms, 0)) << "a sleep until a minute ahead (its own clock)";
        EXPECT_FALSE(parked(t.tid, 120'000 * ms, 0)) << "one ending before the checks end";
    }
}

TEST(WaitNotes, AThreadOutOfItsWaitOrNeverNotedHasNoParkedNote) {
    note_hint hint;
    const long self = ::syscall(SYS_gettid);
    EXPECT_EQ(read_note(self, hint, 0, 0).seq, 0u) << "this thread never noted a wait";
    vr::host::wait_begins(sleep_for(60'000 * ms));
    EXPECT_TRUE(read_note(self, hint, 0, 0).parked);
    vr::host::wait_ended();
    const auto after = read_note(self, hint, 0, 0);
    EXPECT_FALSE(after.parked) << "the wait ended";
    EXPECT_EQ(after.seq % 2, 0u);
}

// Forks by glibc's fork() or by the raw system call, which runs no
// pthread_atfork handler (a plugin's own, say).
pid_t fork_by(bool raw) { return raw ? static_cast<pid_t>(::syscall(SYS_fork)) : ::fork(); }

// A forked child's copy of its parent's notes is not about its threads,
// however it was forked.
TEST(WaitNotes, AForkedChildDoesNotTakeItsParentsNotes) {
    noting_thread t(sleep_for(60'000 * ms));
    ASSERT_TRUE(until([&] { return t.waiting(1); }));
    ASSERT_TRUE(parked(t.tid, 0, 0));
    const long tid = t.tid;
    for (const bool raw : {false, true}) {
        const pid_t child = fork_by(raw);
        ASSERT_GE(child, 0);
        if (child == 0) ::_exit(parked(tid, 0, 0) ? 1 : 0);
        int status = 0;
        ASSERT_EQ(::waitpid(child, &status, 0), child);
        ASSERT_TRUE(WIFEXITED(status));
        EXPECT_EQ(WEXITSTATUS(status), 0) << "the child took its parent's thread's note (raw fork: " << raw << ")";
    }
}

// The process's id the notes keep is asked of the kernel once a process
// (linux/process_id.hpp), and each forked child has its own, however it
// was forked, though its parent asked before the fork.
TEST(WaitNotes, EachForkedChildHasItsOwnProcessId) {
    ASSERT_EQ(vr::host::current_pid(), ::getpid());
    for (const bool raw : {false, true}) {
        const pid_t child = fork_by(raw);
        ASSERT_GE(child, 0);
        if (child == 0) ::_exit(vr::host::current_pid() == ::syscall(SYS_getpid) ? 0 : 1);
        int status = 0;
        ASSERT_EQ(::waitpid(child, &status, 0), child);
        ASSERT_TRUE(WIFEXITED(status));
        EXPECT_EQ(WEXITSTATUS(status), 0) << "the child read its parent's id (raw fork: " << raw << ")";
    }
    EXPECT_EQ(vr::host::current_pid(), ::getpid());
}

// A rest takes a parked note in place of /proc, and only then: a thread
// noted in a sleep of a minute, though it waits on a condition, ends the
// rest at its first check, its files unread (/proc would park it too: the
// futex wait has no timeout; last_rest says which answered); one noted in a
// condition wait, the condition signalled, is waited for until it has done
// the work it was woken for.
TEST(WaitNotes, ARestTakesAParkedNoteAndWaitsForAThreadASignalMayHaveWoken) {
    {
        noting_thread t(sleep_for(60'000 * ms));
        ASSERT_TRUE(until([&] { return t.waiting(1); }));
        vr::host::let_other_threads_rest(2, 100);
        EXPECT_EQ(vr::host::last_rest().checks, 1);
        EXPECT_EQ(vr::host::last_rest().by_notes, 1) << "the note answered the check";
        t.tell(false);
        ASSERT_TRUE(until([&] { return t.done != 0 && t.waiting(2); }));
    }
    noting_thread t(condition());
    ASSERT_TRUE(until([&] { return t.waiting(1); }));
    for (int round = 1; round <= 5; ++round) {
        t.done = 0;
        t.tell(false);  // the condition signalled: the note no longer parks it
        vr::host::let_other_threads_rest(2, 100);
        EXPECT_NE(t.done.load(), 0u) << "round " << round << ": the rest ended before the woken thread worked";
    }
}

// There are 64 slots: a thread beyond them notes nothing (a rest reads its
// files), and a slot whose thread has ended is taken again.
TEST(WaitNotes, ThreadsBeyondTheSlotsNoteNothingAndEndedOnesFreeTheirs) {
    for (int round = 0; round < 2; ++round) {
        std::vector<std::unique_ptr<noting_thread>> threads;
        for (int i = 0; i < 70; ++i) threads.push_back(std::make_unique<noting_thread>(sleep_for(60'000 * ms)));
        int noted = 0;
        for (auto& t : threads) {
            ASSERT_TRUE(until([&] { return t->waiting(1); }));
            if (t->seq() & 1) ++noted;
        }
        EXPECT_LE(noted, 64) << "round " << round;
        EXPECT_GE(noted, 60) << "round " << round << ": the first round's ended threads kept their slots";
    }
}

// With every thread it kept taken by its note, a rest still sees a thread
// started since (the process's thread count, from a kept thread's stat),
// and waits for it.
TEST(WaitNotes, AThreadStartedBesideNotedOnesIsWaitedFor) {
    noting_thread parked_one(sleep_for(60'000 * ms));
    ASSERT_TRUE(until([&] { return parked_one.waiting(1); }));
    vr::host::let_other_threads_rest(2, 100);
    ASSERT_EQ(vr::host::last_rest().by_notes, 1);
    for (int round = 1; round <= 3; ++round) {
        std::mutex m;
        std::condition_variable cv;
        bool quit = false;
        std::atomic<unsigned> done{0};
        std::thread busy([&] {
            done = work() | 1u;
            std::unique_lock lock(m);
            cv.wait(lock, [&] { return quit; });
        });
        vr::host::let_other_threads_rest(2, 100);
        EXPECT_NE(done.load(), 0u) << "round " << round << ": a thread started beside a noted one";
        {
            std::lock_guard lock(m);
            quit = true;
        }
        cv.notify_all();
        busy.join();
    }
}

// A run since the rest before, for a rest that counts one as a rest: a
// thread that ended a noted wait and began another since has run, though
// the marks of that rest have no run count of it (its note answered then).
TEST(WaitNotes, ANoteMovedSinceTheRestBeforeIsARun) {
    std::atomic<bool> quit{false}, marked{false};
    std::atomic<int> loops{0};
    std::atomic<long> tid{0};
    std::thread t([&] {
        tid = ::syscall(SYS_gettid);
        // Sleeps of 5 ms (not parked: under ten times 1 ms), and a long
        // one (parked) while the marks are taken.
        const timespec step{0, 5 * ms};
        const timespec long_step{0, 500 * ms};
        while (!quit) {
            vr::host::wait_begins(sleep_for(marked ? 5 * ms : 500 * ms));
            ::nanosleep(marked ? &step : &long_step, nullptr);
            vr::host::wait_ended();
            ++loops;
        }
    });
    ASSERT_TRUE(until([&] {
        note_hint hint;
        return tid != 0 && (read_note(tid, hint, 0, 0).seq & 1) && loops == 0;
    }));
    vr::host::let_other_threads_rest(2, 100);  // the marks: the note answers, no run count
    ASSERT_EQ(vr::host::last_rest().by_notes, 1);
    marked = true;
    const int seen = loops;
    ASSERT_TRUE(until([&] { return loops >= seen + 2; }));
    vr::host::let_other_threads_rest(3, 1000, true);
    EXPECT_LT(vr::host::last_rest().checks, 3) << "its note moved since the rest before";
    vr::host::let_other_threads_rest(3, 1000, false);
    EXPECT_GE(vr::host::last_rest().checks, 3) << "not asked to count a run as a rest";
    quit = true;
    t.join();
}

}  // namespace
