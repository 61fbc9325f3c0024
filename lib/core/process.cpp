// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <cstring>
#include <string>
#include <thread>

#include "core/error.hpp"

namespace vr {

deadline::deadline(double seconds)
    : at_(std::chrono::steady_clock::now() +
          std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds))) {}

double deadline::seconds_left() const {
    return std::chrono::duration<double>(at_ - std::chrono::steady_clock::now()).count();
}

int reap_child(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return 0;
    return status;
}

bool child_ended(pid_t pid) {
    siginfo_t info{};
    for (;;) {
        if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0)
            return info.si_pid == pid;
        if (errno != EINTR) return false;
    }
}

bool wait_child_ended(pid_t pid, double seconds, const std::function<bool()>& stop) {
    // A pidfd turns readable when its process ends: poll wakes then, not
    // at the next tick (a one-off render waited up to 2 ms here for its
    // worker). Where the kernel or a seccomp filter refuses one, polled.
    const deadline until(seconds);
    const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    while (!child_ended(pid)) {
        const double left = until.seconds_left();
        if (left <= 0 || (stop && stop())) {
            if (fd >= 0) ::close(fd);
            return false;
        }
        // stop() is asked again at least every 20 ms.
        const int slice_ms = static_cast<int>(std::min(left * 1000.0 + 1.0, 20.0));
        if (fd >= 0) {
            pollfd p{fd, POLLIN, 0};
            ::poll(&p, 1, slice_ms);
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(std::min(slice_ms, 2)));
        }
    }
    if (fd >= 0) ::close(fd);
    return true;
}

int protect_stdout() {
    int records = ::fcntl(1, F_DUPFD_CLOEXEC, 3);
    if (records < 0 || ::dup2(2, 1) < 0)
        throw fatal_error(std::string("cannot set up standard output: ") + std::strerror(errno));
    return records;
}

int protect_stdout_records_to(const std::string& path) {
    const int records = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (records < 0) throw fatal_error("cannot write the records to " + path + ": " + std::strerror(errno));
    if (::dup2(2, 1) < 0) {
        ::close(records);
        throw fatal_error(std::string("cannot set up standard output: ") + std::strerror(errno));
    }
    return records;
}

void stdin_from_text(const std::string& text) {
    const int fd = ::memfd_create("job", MFD_CLOEXEC);
    const auto fail = [&] {
        const int e = errno;
        if (fd >= 0) ::close(fd);
        throw fatal_error(std::string("cannot set up standard input: ") + std::strerror(e));
    };
    if (fd < 0) fail();
    for (std::size_t at = 0; at < text.size();) {
        const ssize_t n = ::write(fd, text.data() + at, text.size() - at);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail();
        at += static_cast<std::size_t>(n);
    }
    if (::lseek(fd, 0, SEEK_SET) != 0 || ::dup2(fd, 0) < 0) fail();
    ::close(fd);
}

std::string own_executable() {
    std::error_code ec;
    std::string exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
    if (ec) throw record_error("cannot find the tool's own executable: " + ec.message());
    const std::string deleted = " (deleted)";  // replaced while we run: the new one is at the path
    if (exe.size() > deleted.size() && exe.compare(exe.size() - deleted.size(), deleted.size(), deleted) == 0)
        exe.resize(exe.size() - deleted.size());
    return exe;
}

}  // namespace vr
