// SPDX-License-Identifier: GPL-3.0-or-later
#include "linux/settle.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

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

// The start of /proc/self/task/<tid>/<file> into buf, its length (0 when
// the thread is gone).
long raw_task_file(const char* tid, const char* file, char* buf, std::size_t size) {
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
    if (fd < 0) return 0;
    const long got = ::syscall(SYS_read, fd, buf, size - 1);
    ::syscall(SYS_close, fd);
    if (got <= 0) return 0;
    buf[got] = '\0';
    return got;
}

// What the threads of this process other than self do now: whether one is
// running, runnable or in uninterruptible sleep, and the CPU time they
// used (schedstat's first field, ns).
struct others_now {
    int threads = 0;
    bool busy = false;
    long cpu_ns = 0;
};

others_now raw_others(long self) {
    others_now now;
    int dir;
    do {
        dir = static_cast<int>(
            ::syscall(SYS_openat, AT_FDCWD, "/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    } while (dir < 0 && errno == EINTR);
    if (dir < 0) return now;
    alignas(8) char entries[4096];
    long got;
    while ((got = ::syscall(SYS_getdents64, dir, entries, sizeof entries)) > 0) {
        for (long at = 0; at < got;) {
            // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name
            unsigned short reclen;
            std::memcpy(&reclen, entries + at + 16, sizeof reclen);
            const char* tid = entries + at + 19;
            at += reclen;
            if (tid[0] < '0' || tid[0] > '9' || std::strtol(tid, nullptr, 10) == self) continue;
            ++now.threads;
            char buf[512];
            const long n = raw_task_file(tid, "stat", buf, sizeof buf);
            const char* close = n ? std::strrchr(buf, ')') : nullptr;  // the state follows the name
            const char state = close && close + 2 < buf + n ? close[2] : 0;
            if (state == 'R' || state == 'D') now.busy = true;
            if (raw_task_file(tid, "schedstat", buf, sizeof buf)) now.cpu_ns += std::strtol(buf, nullptr, 10);
        }
    }
    ::syscall(SYS_close, dir);
    return now;
}

}  // namespace

void let_other_threads_rest(int checks, int every_us) noexcept {
    const int saved_errno = errno;
    const long self = ::syscall(SYS_gettid);
    const long give_up = real_now_ns() + rest_wall_cap_ns;
    long cpu_before = -1;
    for (int quiet = 0;;) {
        const others_now now = raw_others(self);
        if (now.threads == 0) break;  // nothing else can run
        if (cpu_before < 0) cpu_before = now.cpu_ns;
        quiet = now.busy ? 0 : quiet + 1;
        if (quiet >= checks || now.cpu_ns - cpu_before >= rest_cpu_cap_ns || real_now_ns() >= give_up) break;
        const timespec step{0, every_us * 1000L};
        ::syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &step, nullptr);
    }
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
