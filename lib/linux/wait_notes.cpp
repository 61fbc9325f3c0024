// SPDX-License-Identifier: GPL-3.0-or-later
#include "linux/wait_notes.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>

#include "linux/process_id.hpp"
#include "linux/raw_clock.hpp"

namespace vr::host {

namespace {

// --- the notes -------------------------------------------------------------
//
// One slot a thread, taken at its first noted wait: by its id (a thread
// of the same id before it, or the copy a fork made of the parent's) or
// free, or one whose thread is gone or of another process. A slot is read
// as a sequence lock: its owner writes the wait, then makes seq odd; at
// the wait's end, even; a reader takes what it read only when seq was the
// same odd number before and after. The process's id beside it: a forked
// child's copies of its parent's notes are not its threads'. A thread that
// leaves a wait other than by its return or an unwinding (a longjmp out of
// a signal handler) is taken to wait there until its next noted wait.

constexpr int slot_count = 64;

// The slots' owners apart from the rest of them: a search reads 8 cache
// lines, not 64.
std::atomic<long> g_tids[slot_count];  // -1 while a slot changes hands

struct note_slot {
    std::atomic<long> pid{0};
    std::atomic<unsigned long> seq{0};
    std::atomic<int> kind{0};
    std::atomic<bool> timed{false};
    std::atomic<int> clock{0};
    std::atomic<long> deadline_ns{0};
    std::atomic<long> asked_ns{0};
    std::atomic<unsigned long> signals{0};  // g_signals as the wait began
};

note_slot g_slots[slot_count];

// Slots taken so far (a search that found none for a thread is not made
// again while this stands).
std::atomic<unsigned long> g_taken{0};

// Conditions signalled in this process, by any thread.
std::atomic<unsigned long> g_signals{0};

thread_local note_slot* t_slot = nullptr;
thread_local long t_slot_pid = 0;
// Waits left before a thread that found no slot seeks one again (its
// threads gone free theirs only as a search finds them gone).
constexpr int retry_after = 256;
thread_local int t_retry_in = 0;

// Moves slot i from owner `from` to tid of process pid, its note ended.
bool take(int i, long from, long tid, long pid) {
    if (!g_tids[i].compare_exchange_strong(from, -1, std::memory_order_acq_rel)) return false;
    note_slot& s = g_slots[i];
    const unsigned long seq = s.seq.load(std::memory_order_relaxed);
    if (seq & 1) s.seq.store(seq + 1, std::memory_order_release);
    s.pid.store(pid, std::memory_order_relaxed);
    g_tids[i].store(tid, std::memory_order_release);
    g_taken.fetch_add(1, std::memory_order_release);
    return true;
}

bool gone(long pid, long tid) {
    return ::syscall(SYS_tgkill, pid, tid, 0) != 0 && errno == ESRCH;
}

// The calling thread's slot (nullptr when none is free).
note_slot* my_slot() {
    const long pid = current_pid();
    if (t_slot && t_slot_pid == pid) return t_slot;
    if (!t_slot && t_slot_pid == pid && t_retry_in > 0) {
        --t_retry_in;
        return nullptr;
    }
    const long tid = ::syscall(SYS_gettid);
    const int saved_errno = errno;
    note_slot* found = nullptr;
    for (int i = 0; i < slot_count && !found; ++i)
        if (g_tids[i].load(std::memory_order_relaxed) == tid && take(i, tid, tid, pid)) found = &g_slots[i];
    for (int round = 0; round < 2 && !found; ++round)
        for (int i = 0; i < slot_count && !found; ++i) {
            const long owner = g_tids[i].load(std::memory_order_relaxed);
            const bool free = owner == 0 ||
                              (round == 1 && owner > 0 &&
                               (g_slots[i].pid.load(std::memory_order_relaxed) != pid || gone(pid, owner)));
            if (free && take(i, owner, tid, pid)) found = &g_slots[i];
        }
    errno = saved_errno;
    t_slot = found;
    t_slot_pid = pid;
    t_retry_in = found ? 0 : retry_after;
    return found;
}

}  // namespace

bool conditions_seen() noexcept {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    return false;
#else
    return true;
#endif
}

void wait_begins(const wait_said& said) noexcept {
    if (said.kind == wait_kind::none || (said.kind == wait_kind::condition && !conditions_seen())) return;
    note_slot* s = my_slot();
    if (!s) return;
    const unsigned long seq = s->seq.load(std::memory_order_relaxed);
    if (seq & 1) return;  // in a noted wait already
    s->kind.store(static_cast<int>(said.kind), std::memory_order_relaxed);
    s->timed.store(said.timed, std::memory_order_relaxed);
    s->clock.store(static_cast<int>(said.clock), std::memory_order_relaxed);
    s->deadline_ns.store(said.deadline_ns, std::memory_order_relaxed);
    s->asked_ns.store(said.asked_ns, std::memory_order_relaxed);
    s->signals.store(g_signals.load(std::memory_order_acquire), std::memory_order_relaxed);
    s->seq.store(seq + 1, std::memory_order_release);
    // The note is seen before the thread can be among a condition's waiters.
    std::atomic_thread_fence(std::memory_order_seq_cst);
}

void wait_ended() noexcept {
    note_slot* s = t_slot;
    if (!s || t_slot_pid != current_pid()) return;
    const unsigned long seq = s->seq.load(std::memory_order_relaxed);
    if (seq & 1) s->seq.store(seq + 1, std::memory_order_release);
}

void condition_signalled() noexcept { g_signals.fetch_add(1, std::memory_order_acq_rel); }

note_read read_note(long tid, note_hint& hint, long ahead_ns, long asked_ns) noexcept {
    int& i = hint.slot;
    if (i < 0 || i >= slot_count || g_tids[i].load(std::memory_order_acquire) != tid) {
        const unsigned long taken = g_taken.load(std::memory_order_acquire);
        if (i < 0 && hint.taken == taken) return {};  // none, and none taken since
        i = -1;
        for (int j = 0; j < slot_count && i < 0; ++j)
            if (g_tids[j].load(std::memory_order_acquire) == tid) i = j;
        if (i < 0) {
            hint.taken = taken;
            return {};
        }
    }
    const long pid = current_pid();
    note_slot& s = g_slots[i];
    const unsigned long seq = s.seq.load(std::memory_order_acquire);
    const bool ours = s.pid.load(std::memory_order_relaxed) == pid;
    const auto kind = static_cast<wait_kind>(s.kind.load(std::memory_order_relaxed));
    const bool timed = s.timed.load(std::memory_order_relaxed);
    const auto clock = static_cast<clockid_t>(s.clock.load(std::memory_order_relaxed));
    const long deadline = s.deadline_ns.load(std::memory_order_relaxed);
    const long asked = s.asked_ns.load(std::memory_order_relaxed);
    const unsigned long signals = s.signals.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    const unsigned long seq_after = s.seq.load(std::memory_order_relaxed);
    if (!ours || g_tids[i].load(std::memory_order_relaxed) != tid) return {};
    note_read r;
    r.seq = seq_after;
    if (seq != seq_after || !(seq & 1)) return r;
    switch (kind) {
        case wait_kind::condition:
            r.parked = signals == g_signals.load(std::memory_order_acquire) &&
                       (!timed || ends_at_least(clock, deadline, ahead_ns));
            break;
        case wait_kind::relative_sleep: r.parked = asked >= asked_ns; break;
        case wait_kind::sleep_until: r.parked = ends_at_least(clock, deadline, ahead_ns); break;
        case wait_kind::none: break;
    }
    return r;
}

}  // namespace vr::host
