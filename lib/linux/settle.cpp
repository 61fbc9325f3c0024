// SPDX-License-Identifier: GPL-3.0-or-later
#include "linux/settle.hpp"

#include <fcntl.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "core/handles.hpp"

namespace vr::host {

namespace {

// Quiet checks in a row that count as settled, their spacing, and the most
// a wait may take: a plugin thread that never rests must not hang the job.
constexpr int quiet_checks = 5;
constexpr auto check_every = std::chrono::milliseconds(1);
constexpr auto give_up_after = std::chrono::seconds(10);

int own_tid() {
    return static_cast<int>(::syscall(SYS_gettid));
}

// The start of a file of /proc/self/task/TID ("" when the thread is gone).
std::string task_file(int tid, const char* name) {
    std::string path = "/proc/self/task/" + std::to_string(tid) + "/" + name;
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return {};
    char buf[1024];
    ssize_t n;
    do {
        n = ::read(fd.get(), buf, sizeof buf);
    } while (n < 0 && errno == EINTR);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

// The fields of a thread's stat after its name (state first), which is in
// parentheses and may hold anything, ')' too: they follow the last one.
std::string_view stat_fields(const std::string& stat) {
    auto close = stat.rfind(')');
    if (close == std::string::npos || close + 2 >= stat.size()) return {};
    return std::string_view(stat).substr(close + 2);
}

// The state letter of a thread (R, S, D, ...), or 0 when it is gone.
char thread_state(int tid) {
    std::string stat = task_file(tid, "stat");
    auto fields = stat_fields(stat);
    return fields.empty() ? 0 : fields[0];
}

// CPU time a thread has used: schedstat's first field (nanoseconds), else
// stat's utime and stime (clock ticks).
double cpu_s(int tid) {
    std::string sched = task_file(tid, "schedstat");
    if (!sched.empty()) return std::strtod(sched.c_str(), nullptr) / 1e9;
    std::string stat = task_file(tid, "stat");
    std::istringstream in{std::string(stat_fields(stat))};
    std::string field;
    double ticks = 0;
    // state is field 3 of stat(5); utime and stime are 14 and 15.
    for (int i = 3; i <= 15 && in >> field; ++i)
        if (i >= 14) ticks += std::strtod(field.c_str(), nullptr);
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// Whether a thread of ids other than the caller's is at work now.
bool others_busy(const std::set<int>& ids, int self) {
    for (int tid : ids) {
        if (tid == self) continue;
        char state = thread_state(tid);
        if (state == 'R' || state == 'D') return true;
    }
    return false;
}

// --- let_other_threads_rest: raw system calls, nothing allocated ---------

constexpr long rest_cpu_cap_ns = 50'000'000;
constexpr long rest_wall_cap_ns = 2'000'000'000;

long real_now_ns() {
    timespec t{};
    ::syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1'000'000'000L + t.tv_nsec;
}

// --- the threads' /proc files kept open from rest to rest ---------------
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

constexpr int kept_max = 32;

struct kept_thread {
    long tid = 0;
    int stat = -1;
    int schedstat = -1;
    int syscall = -1;  // what it waits in, opened when first asked (-2: cannot be)
    long runs = 0;     // times it was put on a CPU, as the last check read
};

// A thread's runs at the first check of a rest, for the next rest.
struct run_mark {
    long tid = 0;
    long runs = 0;
};

struct kept_threads {
    std::atomic_flag busy = ATOMIC_FLAG_INIT;  // one rest at a time uses it
    long pid = 0;                              // the process they were opened in
    long self = 0;                             // the thread they were listed for
    int count = 0;
    kept_thread threads[kept_max];
    int marked = 0;  // marks of the last rest's first check (0: none, or listed for another thread since)
    run_mark marks[kept_max];
};

kept_threads g_kept;

// What the threads of this process other than self do now: whether one is
// running, runnable or in uninterruptible sleep (and the first such), and
// the CPU time they used (schedstat's first field, ns).
struct others_now {
    int threads = 0;
    bool busy = false;
    long busy_tid = 0;
    long cpu_ns = 0;
};

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

int open_task_file(const char* tid, const char* file) {
    char path[80] = "/proc/self/task/";
    std::size_t n = std::strlen(path);
    for (const char* c = tid; *c && n < 40; ++c) path[n++] = *c;
    path[n++] = '/';
    for (const char* c = file; *c && n + 1 < sizeof path; ++c) path[n++] = *c;
    path[n] = '\0';
    int fd;
    do {
        fd = static_cast<int>(::syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC));
    } while (fd < 0 && errno == EINTR);
    return fd;
}

// Calls f(name, tid) for each thread of this process but self, from the
// task folder's listing; false when the folder cannot be read.
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
            if (digits_of(name, &tid) > 0 && tid != self) f(name, tid);
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
    if ((line.state == 'R' || line.state == 'D') && !now.busy) {
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
    each_other_thread(self, [&](const char* name, long tid) {
        kept_thread t{tid, open_task_file(name, "stat"), open_task_file(name, "schedstat")};
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
    each_other_thread(self, [&](const char* name, long tid) {
        if (k.count == kept_max) {
            fits = false;
            return;
        }
        kept_thread t{tid, open_task_file(name, "stat"), open_task_file(name, "schedstat")};
        if (t.stat >= 0) {
            k.threads[k.count++] = t;
        } else {  // gone already
            if (t.schedstat >= 0) ::syscall(SYS_close, t.schedstat);
            if (t.syscall >= 0) ::syscall(SYS_close, t.syscall);
        }
    });
    return fits;
}

// The check through the kept files; false when they could not answer it
// (too many threads), and the caller checks by path.
bool kept_others(long self, others_now& now) {
    kept_threads& k = g_kept;
    const long pid = ::syscall(SYS_getpid);
    if (k.pid != pid) {  // a forked child: list its own threads
        k.pid = pid;
        k.self = -1;
    }
    if (k.self != self) k.marked = 0;
    // The kept files first; when they say a thread came or went, the
    // folder listed again and the new ones read.
    for (int attempt = 0; attempt < 2; ++attempt) {
        const bool listed = attempt > 0 || k.self != self;
        if (listed) {
            if (!relist(k, self)) return false;
            k.self = self;
        }
        now = {};
        bool same = true;
        for (int i = 0; i < k.count && same; ++i)
            if (tally(k.threads[i], now) != k.count + 1) same = false;
        if (same && (listed || k.count > 0)) return true;
    }
    return false;  // threads came and went while it read
}

// --- threads that cannot end a rest by themselves -------------------------
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
        char tid[24];
        int n = 0;
        for (long v = t.tid; v > 0 && n < 20; v /= 10) tid[n++] = static_cast<char>('0' + v % 10);
        for (int i = 0; i < n / 2; ++i) std::swap(tid[i], tid[n - 1 - i]);
        tid[n] = '\0';
        t.syscall = open_task_file(tid, "syscall");
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
    return ::syscall(SYS_process_vm_readv, ::syscall(SYS_getpid), &local, 1UL, &remote, 1UL, 0UL) ==
           static_cast<long>(sizeof t);
}

long ns_of(const timespec& t) { return t.tv_sec * 1'000'000'000L + t.tv_nsec; }

// A relative timeout at address of at least ns.
bool asked_at_least(unsigned long address, long ns) {
    timespec t{};
    return read_timespec(address, t) && ns_of(t) >= ns;
}

// An absolute deadline at address on clock at least ns ahead of now.
bool ends_after(long clock, unsigned long address, long ns) {
    timespec deadline{}, now{};
    return read_timespec(address, deadline) && ::syscall(SYS_clock_gettime, clock, &now) == 0 &&
           ns_of(deadline) - ns_of(now) >= ns;
}

// Whether t (quiet) waits where it cannot wake by itself within ahead_ns
// of an absolute deadline, in a relative sleep of at least asked_ns.
bool parked(kept_thread& t, long ahead_ns, long asked_ns) {
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

// Whether t was put on a CPU since marks were taken (a thread they lack
// counts as not).
bool ran_since(const kept_thread& t, const run_mark* marks, int marked) {
    for (int i = 0; i < marked; ++i)
        if (marks[i].tid == t.tid) return t.runs > marks[i].runs;
    return false;
}

// Whether marks lack t: it started since they were taken.
bool unmarked(const kept_thread& t, const run_mark* marks, int marked) {
    for (int i = 0; i < marked; ++i)
        if (marks[i].tid == t.tid) return false;
    return true;
}

thread_local rest_made g_rest;

// --- the bell: a busy thread that goes to wait says so --------------------
//
// A sleep between checks costs the caller about 19 us of CPU here,
// whatever its length, and a thread just started works a millisecond or
// two before it first waits (a JUCE plugin's message thread loads X11's
// libraries): checks 100 to 400 us apart made four or five such sleeps
// of every JUCE plugin's load. A rest with the kept files names the busy
// thread it waits for (g_waiting_on) and sleeps on the bell, which that
// thread rings as it is about to block in a wait render-one interposes
// (about_to_wait, from linux/pinned_clocks.cpp): the rest then checks at
// once. A thread started since the rest before sleeps it up to 4 ms, one
// seen before up to the usual spacing (a busy thread that blocks where it
// does not ring, a lock or a pipe, is seen no later than before).

std::atomic<long> g_waiting_on{0};
std::atomic<int> g_bell{0};
thread_local long t_tid = 0;
constexpr long starting_thread_wait_us = 4000;

// Sleeps step_us, or less when the bell rings for thread busy_tid (0:
// none named); true when it rang.
bool sleep_or_bell(long step_us, long busy_tid) {
    const timespec step{step_us / 1'000'000, step_us % 1'000'000 * 1000L};
    if (busy_tid == 0) {
        ::syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &step, nullptr);
        return false;
    }
    // The bell read before the thread is named: a ring after the naming
    // moves it on, and the futex wait returns at once.
    const int rung = g_bell.load(std::memory_order_acquire);
    g_waiting_on.store(busy_tid, std::memory_order_seq_cst);
    ::syscall(SYS_futex, &g_bell, FUTEX_WAIT_PRIVATE, rung, &step, nullptr, 0);
    g_waiting_on.store(0, std::memory_order_relaxed);
    return g_bell.load(std::memory_order_acquire) != rung;
}

}  // namespace

void about_to_wait() noexcept {
    const long on = g_waiting_on.load(std::memory_order_relaxed);
    if (on == 0) return;
    if (t_tid == 0) t_tid = ::syscall(SYS_gettid);
    if (on != t_tid) return;
    const int saved_errno = errno;
    g_bell.fetch_add(1, std::memory_order_release);
    ::syscall(SYS_futex, &g_bell, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
    errno = saved_errno;
}

rest_made last_rest() noexcept { return g_rest; }

long rest_waits_for() noexcept { return g_waiting_on.load(std::memory_order_relaxed); }

void let_other_threads_rest(int checks, int every_us, bool ran_is_rest) noexcept {
    const int saved_errno = errno;
    const long self = ::syscall(SYS_gettid);
    const long give_up = real_now_ns() + rest_wall_cap_ns;
    long cpu_before = -1;
    // The kept files, unless another thread's rest has them: the path then.
    const bool kept = !g_kept.busy.test_and_set(std::memory_order_acquire);
    // While a thread is at work, checks under 250 us apart draw apart,
    // twice as far each time up to four times every_us, since a check and
    // its sleep cost the caller's CPU (about 15 us a sleep here) and a
    // starting thread can work a millisecond or two; the quiet checks that
    // end the rest are every_us apart, as asked. (Up to 1 ms cost a warm
    // render-one's sessions, whose rests see the other session's thread
    // rendering, 0.9 ms a job under examples/render.mk -j2.)
    const long slowest_us = every_us >= 250 ? every_us : 4L * every_us;
    long step_us = every_us;
    // The marks of the rest before this one, and of this one's first check.
    run_mark before[kept_max];
    int marked_before = 0;
    const long ahead_ns = (checks - 1) * every_us * 1000L, asked_ns = 10L * every_us * 1000L;
    g_rest = {};
    long rang = 0;   // the thread that rang the bell last
    int yields = 0;  // yields left for it to get to its wait
    for (int quiet = 0, check = 0;; ++check) {
        g_rest.checks = check + 1;
        others_now now;
        const bool by_kept = kept && kept_others(self, now);
        if (!by_kept) now = raw_others(self);
        if (now.threads == 0) break;  // nothing else can run
        kept_threads& k = g_kept;
        if (by_kept && check == 0) {
            marked_before = k.marked;
            std::memcpy(before, k.marks, sizeof(run_mark) * static_cast<std::size_t>(marked_before));
            for (int i = 0; i < k.count; ++i) k.marks[i] = {k.threads[i].tid, k.threads[i].runs};
            k.marked = k.count;
        }
        if (cpu_before < 0) cpu_before = now.cpu_ns;
        quiet = now.busy ? 0 : quiet + 1;
        if (quiet >= checks || now.cpu_ns - cpu_before >= rest_cpu_cap_ns || real_now_ns() >= give_up) break;
        // Quiet, and none can wake by itself before the checks still to
        // come would see it (or, when ran_is_rest, each has run since the
        // rest before): they would add nothing.
        if (!now.busy && by_kept) {
            bool settled = true;
            for (int i = 0; i < k.count && settled; ++i)
                settled = (ran_is_rest && ran_since(k.threads[i], before, marked_before)) ||
                          parked(k.threads[i], ahead_ns, asked_ns);
            if (settled) break;
        }
        // The thread that rang is about to wait but may not be there yet
        // (this thread's wake can preempt it on its CPU): a yield lets it.
        if (now.busy && now.busy_tid == rang && yields > 0) {
            --yields;
            ::syscall(SYS_sched_yield);
            continue;
        }
        step_us = !now.busy ? every_us : step_us * 2 < slowest_us ? step_us * 2 : slowest_us;
        long wait_us = step_us, bell_for = 0;
        if (now.busy && by_kept) {
            bell_for = now.busy_tid;
            for (int i = 0; i < k.count; ++i)
                if (k.threads[i].tid == bell_for && unmarked(k.threads[i], before, marked_before))
                    wait_us = starting_thread_wait_us;
        }
        rang = sleep_or_bell(wait_us, bell_for) ? bell_for : 0;
        if (rang) ++g_rest.rings;
        yields = 3;
    }
    if (kept) g_kept.busy.clear(std::memory_order_release);
    errno = saved_errno;
}

std::set<int> thread_ids() {
    std::set<int> ids;
    // Never throws: it runs while instances are destroyed.
    std::error_code ec;
    for (std::filesystem::directory_iterator it("/proc/self/task", ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        char* rest = nullptr;
        long tid = std::strtol(name.c_str(), &rest, 10);
        if (rest != name.c_str() && *rest == '\0') ids.insert(static_cast<int>(tid));
    }
    return ids;
}

std::set<int> threads_started_since(const std::set<int>& before) {
    std::set<int> started;
    for (int tid : thread_ids())
        if (!before.contains(tid)) started.insert(tid);
    return started;
}

double threads_cpu_s(const std::set<int>& ids) {
    double total = 0;
    for (int tid : ids) total += cpu_s(tid);
    return total;
}

bool wait_for_quiet_threads() {
    const int self = own_tid();
    const auto deadline = std::chrono::steady_clock::now() + give_up_after;
    int quiet = 0;
    for (;;) {
        auto ids = thread_ids();
        if (ids.size() <= 1) return true;
        quiet = others_busy(ids, self) ? 0 : quiet + 1;
        if (quiet >= quiet_checks) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(check_every);
    }
}

}  // namespace vr::host
