// SPDX-License-Identifier: GPL-3.0-or-later
#include "linux/task_files.hpp"

#include <fcntl.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "linux/process_id.hpp"
#include "linux/raw_clock.hpp"

namespace vr::host {

namespace {

// The threads' files kept open from check to check.
//
// A check of every other thread by the path (open the task folder, list it,
// open, read and close each thread's stat and schedstat) cost about 24 us
// of CPU here, and a JUCE plugin's load makes some 60 of them. The files of
// a /proc thread are read again from their start with pread on the same
// descriptor, so they are opened once: a check is then a pread of each
// thread's stat (2.4 us) and schedstat (0.6 us). A thread's stat also says
// how many threads the process has (its 20th field), so while each kept
// thread is still there and that count is theirs and the caller's, no
// thread started or ended and the folder need not be listed again. It is
// listed again, the kept files dropped, when the count or a file says a
// thread came or went, for another calling thread, and in a forked child
// (whose copies are of the parent's threads' files). Descriptors are
// O_CLOEXEC; one that no longer reads as its thread's stat (closed and
// reused by someone else) is forgotten, not closed.

kept_threads g_kept;

long digits_of(const char* s, long* value) {
    long n = 0, v = 0;
    while (s[n] >= '0' && s[n] <= '9') v = v * 10 + (s[n++] - '0');
    *value = v;
    return n;
}

long raw_pread(int fd, char* buf, std::size_t size) {
    const long got = ::syscall(SYS_pread64, fd, buf, size - 1, 0L);
    if (got <= 0) return 0;
    buf[got] = '\0';
    return got;
}

// A thread's stat as read: whether it is that thread's (starts "TID ("),
// its state letter and the process's thread count (the 20th field).
struct stat_line {
    bool ours = false;
    char state = 0;
    long threads = 0;
};

stat_line read_stat(const kept_thread& t) {
    stat_line line;
    char buf[512];
    const long n = raw_pread(t.stat, buf, sizeof buf);
    if (n == 0) return line;
    long tid = 0;
    const long d = digits_of(buf, &tid);
    if (d == 0 || tid != t.tid || buf[d] != ' ' || buf[d + 1] != '(') return line;
    const char* close = std::strrchr(buf, ')');
    if (!close || close + 2 >= buf + n) return line;
    line.ours = true;
    line.state = close[2];
    // From the state (field 3) on, fields are separated by one space.
    const char* at = close + 2;
    for (int field = 3; field < 20 && *at; ++at)
        if (*at == ' ') ++field;
    digits_of(at, &line.threads);
    return line;
}

// Opens /proc/self/task/TID/FILE; -1 when it cannot.
int open_task_file(long tid, const char* file) {
    char path[80] = "/proc/self/task/";
    std::size_t n = std::strlen(path);
    char digits[24];
    int d = 0;
    do {
        digits[d++] = static_cast<char>('0' + tid % 10);
        tid /= 10;
    } while (tid > 0 && d < 20);
    while (d > 0) path[n++] = digits[--d];
    path[n++] = '/';
    for (const char* c = file; *c && n + 1 < sizeof path; ++c) path[n++] = *c;
    path[n] = '\0';
    int fd;
    do {
        fd = static_cast<int>(::syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC));
    } while (fd < 0 && errno == EINTR);
    return fd;
}

// Calls f(tid) for each thread of this process but self, from the task
// folder's listing; false when the folder cannot be read.
template <typename F>
bool each_other_thread(long self, F&& f) {
    int dir;
    do {
        dir = static_cast<int>(
            ::syscall(SYS_openat, AT_FDCWD, "/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    } while (dir < 0 && errno == EINTR);
    if (dir < 0) return false;
    alignas(8) char entries[4096];
    long got;
    while ((got = ::syscall(SYS_getdents64, dir, entries, sizeof entries)) > 0) {
        for (long at = 0; at < got;) {
            // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name
            unsigned short reclen;
            std::memcpy(&reclen, entries + at + 16, sizeof reclen);
            const char* name = entries + at + 19;
            at += reclen;
            long tid = 0;
            if (digits_of(name, &tid) > 0 && tid != self) f(tid);
        }
    }
    ::syscall(SYS_close, dir);
    return true;
}

// Adds thread t (its stat and schedstat open) to now, and notes its runs
// in t; the process's thread count its stat says, or -1 when it no longer
// reads as t's (gone, or the descriptor reused).
long tally(kept_thread& t, others_now& now) {
    const stat_line line = read_stat(t);
    if (!line.ours) return -1;
    ++now.threads;
    // Stopped ('t': a tracer holds it at a system call's entry or exit;
    // 'T': a stop signal) is not at rest: it goes on once let go. Taken
    // so, a traced one-off rendered another file than an untraced one.
    if ((line.state == 'R' || line.state == 'D' || line.state == 't' || line.state == 'T') && !now.busy) {
        now.busy = true;
        now.busy_tid = t.tid;
    }
    // schedstat: time on a CPU (ns), time waiting for one, times put on one.
    char buf[128];
    if (t.schedstat >= 0 && raw_pread(t.schedstat, buf, sizeof buf)) {
        char* at = buf;
        now.cpu_ns += std::strtol(at, &at, 10);
        std::strtol(at, &at, 10);
        t.runs = std::strtol(at, nullptr, 10);
    }
    return line.threads;
}

// A check by the path: each thread's files opened, read and closed.
others_now raw_others(long self) {
    others_now now;
    each_other_thread(self, [&](long tid) {
        kept_thread t{tid, open_task_file(tid, "stat"), open_task_file(tid, "schedstat")};
        if (t.stat >= 0) tally(t, now);
        if (t.stat >= 0) ::syscall(SYS_close, t.stat);
        if (t.schedstat >= 0) ::syscall(SYS_close, t.schedstat);
    });
    return now;
}

// Closes what t holds when it still reads as its thread's (or its thread
// is gone, which only a /proc file answers so); else forgets it.
void drop(kept_thread& t) {
    char buf[64];
    const long got = ::syscall(SYS_pread64, t.stat, buf, sizeof buf - 1, 0L);
    long tid = 0;
    if (got > 0) buf[got] = '\0';
    const bool ours = (got < 0 && errno == ESRCH) || (got > 0 && digits_of(buf, &tid) > 0 && tid == t.tid);
    if (ours) {
        ::syscall(SYS_close, t.stat);
        if (t.schedstat >= 0) ::syscall(SYS_close, t.schedstat);
        if (t.syscall >= 0) ::syscall(SYS_close, t.syscall);
    }
    t = {};
}

// Drops the kept files, lists the task folder again and opens each other
// thread's; false when they are more than kept_max (the caller then
// checks by path).
bool relist(kept_threads& k, long self) {
    for (int i = 0; i < k.count; ++i) drop(k.threads[i]);
    k.count = 0;
    bool fits = true;
    each_other_thread(self, [&](long tid) {
        if (k.count == kept_max) {
            fits = false;
            return;
        }
        kept_thread t{tid, open_task_file(tid, "stat"), open_task_file(tid, "schedstat")};
        if (t.stat >= 0)
            k.threads[k.count++] = t;
        else if (t.schedstat >= 0)  // gone already
            ::syscall(SYS_close, t.schedstat);
    });
    return fits;
}

}  // namespace

bool check_kept(kept_threads& k, long self, others_now& now, long ahead_ns, long asked_ns) noexcept {
    const long pid = current_pid();
    if (k.pid != pid) {  // a forked child: list its own threads
        k.pid = pid;
        k.self = -1;
    }
    // The kept files first; when they say a thread came or went, the
    // folder listed again and the new ones read.
    for (int attempt = 0; attempt < 2; ++attempt) {
        const bool listed = attempt > 0 || k.self != self;
        if (listed) {
            if (!relist(k, self)) return false;
            k.self = self;
        }
        now = {};
        bool same = true, counted = false;
        for (int i = 0; i < k.count && same; ++i) {
            kept_thread& t = k.threads[i];
            const note_read note = read_note(t.tid, t.note, ahead_ns, asked_ns);
            t.note_seq = note.seq;
            t.noted = note.parked;
            if (t.noted) {  // parked, and alive: a thread ends only out of its wait
                ++now.threads;
                ++now.noted;
                continue;
            }
            if (tally(t, now) != k.count + 1) same = false;
            counted = true;
        }
        // Every other thread noted: the first one's stat says whether one
        // started or ended since.
        if (same && !counted && k.count > 0) {
            const stat_line line = read_stat(k.threads[0]);
            same = line.ours && line.threads == k.count + 1;
        }
        if (same && (listed || k.count > 0)) return true;
    }
    return false;  // threads came and went while it read
}

kept_threads* take_kept_threads() noexcept {
    return g_kept.busy.test_and_set(std::memory_order_acquire) ? nullptr : &g_kept;
}

void give_back_kept_threads(kept_threads* k) noexcept {
    if (k) k->busy.clear(std::memory_order_release);
}

others_now check_by_path(long self) noexcept { return raw_others(self); }

namespace {

// --- where a blocked thread waits -----------------------------------------
//
// A rest checks again after a while because a quiet thread may be about
// to wake by itself and go on with what the caller's wake set it to do. A
// thread waiting where only another thread ends its wait before the
// rest's next check would come (in a futex wait with no timeout: a
// condition, a lock; or with one further ahead) cannot; nor can one in a
// relative sleep asked for ten times the checks' spacing or more (a
// polling loop's, whose wake is the clock's, not the caller's: the second
// check saw it wake one time in ten). /proc/self/task/TID/syscall says
// where a blocked thread waits; a relative timeout is read from the
// thread's memory (process_vm_readv: a pointer gone stale reads as an
// error, not a fault).

// The call a blocked thread is in: its number and arguments.
struct blocked_call {
    long nr = -1;
    unsigned long args[6] = {};
};

bool read_blocked_call(kept_thread& t, blocked_call& c) {
    if (t.syscall == -1) {
        t.syscall = open_task_file(t.tid, "syscall");
        if (t.syscall < 0) t.syscall = -2;
    }
    char buf[256];
    if (t.syscall < 0 || !raw_pread(t.syscall, buf, sizeof buf)) return false;
    // "NR ARG1 ... ARG6 SP PC", in hex from ARG1 on; "running", or -1
    // when it is in no system call.
    char* at = buf + digits_of(buf, &c.nr);
    if (at == buf) return false;
    for (auto& a : c.args) {
        if (*at != ' ') return false;
        a = std::strtoul(at + 1, &at, 16);
    }
    return true;
}

bool read_timespec(unsigned long address, timespec& t) {
    if (address == 0) return false;
    iovec local{&t, sizeof t};
    iovec remote{reinterpret_cast<void*>(address), sizeof t};
    return ::syscall(SYS_process_vm_readv, current_pid(), &local, 1UL, &remote, 1UL, 0UL) ==
           static_cast<long>(sizeof t);
}

// A relative timeout at address of at least ns.
bool asked_at_least(unsigned long address, long ns) {
    timespec t{};
    return read_timespec(address, t) && ns_of(t) >= ns;
}

// An absolute deadline at address on clock at least ns ahead of now.
bool ends_after(long clock, unsigned long address, long ns) {
    timespec deadline{};
    return read_timespec(address, deadline) && ends_at_least(static_cast<clockid_t>(clock), ns_of(deadline), ns);
}

}  // namespace

bool parked(kept_thread& t, long ahead_ns, long asked_ns) noexcept {
    if (t.noted) return true;
    blocked_call c;
    if (!read_blocked_call(t, c)) return false;
    if (c.nr == SYS_futex) {
        const unsigned long timeout = c.args[3];
        switch (static_cast<int>(c.args[1]) & FUTEX_CMD_MASK) {
            case FUTEX_WAIT: return timeout == 0 || asked_at_least(timeout, asked_ns);
            case FUTEX_WAIT_BITSET:
                return timeout == 0 ||
                       ends_after((c.args[1] & FUTEX_CLOCK_REALTIME) ? CLOCK_REALTIME : CLOCK_MONOTONIC, timeout, ahead_ns);
            case FUTEX_LOCK_PI:
            case FUTEX_WAIT_REQUEUE_PI: return timeout == 0;
            default: return false;
        }
    }
#ifdef SYS_nanosleep
    if (c.nr == SYS_nanosleep) return asked_at_least(c.args[0], asked_ns);
#endif
    if (c.nr == SYS_clock_nanosleep)
        return (c.args[1] & TIMER_ABSTIME) ? ends_after(static_cast<long>(c.args[0]), c.args[2], ahead_ns)
                                           : asked_at_least(c.args[2], asked_ns);
    return false;
}

bool traced(long tid) noexcept {
    const int fd = open_task_file(tid, "status");
    if (fd < 0) return false;
    char buf[1024];
    const long n = raw_pread(fd, buf, sizeof buf);
    ::syscall(SYS_close, fd);
    if (n == 0) return false;
    const char* at = std::strstr(buf, "\nTracerPid:");
    if (!at) return false;
    at += std::strlen("\nTracerPid:");
    while (*at == ' ' || *at == '\t') ++at;
    return *at >= '1' && *at <= '9';
}

}  // namespace vr::host
