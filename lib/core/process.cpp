// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/process.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
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
    // Polled: a child's end wakes no one unless we reap it (or handle
    // SIGCHLD, which is the caller's to decide).
    const deadline until(seconds);
    while (!child_ended(pid)) {
        if (until.seconds_left() <= 0 || (stop && stop())) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

int protect_stdout() {
    int records = ::fcntl(1, F_DUPFD_CLOEXEC, 3);
    if (records < 0 || ::dup2(2, 1) < 0)
        throw fatal_error(std::string("cannot set up standard output: ") + std::strerror(errno));
    return records;
}

}  // namespace vr
