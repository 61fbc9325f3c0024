// SPDX-License-Identifier: GPL-3.0-or-later
#include "host/child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <utility>

#include "core/error.hpp"
#include "core/handles.hpp"
#include "core/process.hpp"
#include "render/supervise.hpp"
#include "render/supervise_status.hpp"

namespace vr::host {

std::string child_outcome::failure() const {
    if (ok) return "";
    if (timed_out) return timeout_message(timeout_s);
    return death_message(wait_status);
}

namespace {

void write_all(int fd, const std::string& s) {
    std::size_t done = 0;
    while (done < s.size()) {
        ssize_t n = ::write(fd, s.data() + done, s.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace

child_outcome run_in_child(const std::function<std::string()>& fn, double timeout_s) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw record_error(std::string("cannot create a pipe: ") + std::strerror(errno));
    unique_fd read_end(fds[0]), write_end(fds[1]);
    // Whatever sits in stdio buffers would otherwise be written twice.
    std::fflush(nullptr);
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) throw record_error(std::string("cannot fork: ") + std::strerror(errno));
    if (pid == 0) {
        read_end.release();
        // A render nobody waits for is worth nothing: die with the parent.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(72);
        int code = 0;
        try {
            write_all(write_end.get(), fn());
        } catch (...) {
            code = 70;
        }
        std::fflush(nullptr);
        ::_exit(code);
    }
    write_end.close("pipe");

    child_outcome out;
    out.timeout_s = timeout_s;
    const deadline until(timeout_s);
    char buf[65536];
    for (;;) {
        int wait_ms = -1;
        if (timeout_s > 0) {
            double left = until.seconds_left();
            if (left <= 0) {
                ::kill(pid, SIGKILL);
                out.timed_out = true;
                break;
            }
            wait_ms = static_cast<int>(left * 1000) + 1;
        }
        pollfd p{read_end.get(), POLLIN, 0};
        int r = ::poll(&p, 1, wait_ms);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) continue;  // the deadline is checked above
        ssize_t n = ::read(read_end.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.answer.append(buf, static_cast<std::size_t>(n));
    }
    int status = reap_child(pid);
    out.wait_status = status;
    if (WIFSIGNALED(status) && !out.timed_out) out.signal = WTERMSIG(status);
    if (WIFEXITED(status)) out.exit_code = WEXITSTATUS(status);
    out.ok = !out.timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    return out;
}

std::string child_failed::signal() const { return outcome_.signal ? signal_name(outcome_.signal) : ""; }

}  // namespace vr::host
