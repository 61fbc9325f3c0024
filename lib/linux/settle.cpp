// SPDX-License-Identifier: GPL-3.0-or-later
#include "linux/settle.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
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

}  // namespace

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
