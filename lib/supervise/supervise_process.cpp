// SPDX-License-Identifier: GPL-3.0-or-later
// The supervisor's members that start, stop and kill its worker process
// (supervise.hpp): a fork of this process, or a sandboxed render-one; one
// offered by a warm render-one adopted, or kept for its next run.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/process.hpp"
#include "supervise/interrupts.hpp"
#include "supervise/supervise.hpp"
#include "supervise/supervise_status.hpp"

namespace vr {

// Fork, not exec: this process is single-threaded and has not touched JUCE
// or a plugin, so its fork is a clean worker that already holds every option
// (nothing to serialise and parse again) and starts without loading the
// binary and its libraries anew, which matters when workers are replaced
// often (--max-rss, crashy plugins).
void supervisor::start_worker(const sandbox_spec& sandbox) {
    // A sandboxed worker is this fork exec'ing bwrap, which runs render-one
    // again as a worker (supervise/sandbox.hpp); its command is made here, as
    // the child only execs.
    sandbox_ = sandbox;
    worker_display_.clear();
    const std::vector<std::string> command = sandbox_.on ? sandboxed_worker_command(sandbox_, options_.sandbox)
                                                         : std::vector<std::string>{};
    pid_t offered = 0;
    if (int fd = -1; command.empty() && take_offered_worker(offered, fd)) {
        adopt_worker(offered, fd);
        offered_ = true;
        return;
    }
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        throw record_error(std::string("cannot create a socket pair: ") + std::strerror(errno));
    sigset_t block = interrupts::set(), old;
    ::sigprocmask(SIG_BLOCK, &block, &old);
    std::fflush(nullptr);
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid == 0) {
        // Its own process group, so that a time-out kills the per-job
        // children it forks with it, and a terminal's ^C reaches only us.
        ::setpgid(0, 0);
        // Killed with us, even by SIGKILL: no orphan renders on.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(72);
        arrange_worker_fds(sv[1]);
        if (!command.empty()) {
            // The sandboxed render-one installs the worker's own (serve_jobs).
            ::sigaction(SIGINT, &interrupts::old_int, nullptr);
            ::sigaction(SIGTERM, &interrupts::old_term, nullptr);
            ::sigprocmask(SIG_SETMASK, &old, nullptr);
            exec_sandboxed_worker(command);
        }
        // Before a signal can come: one from outside is told on fd 3.
        interrupts::install_in_worker(3);
        ::sigprocmask(SIG_SETMASK, &old, nullptr);
        int code = 70;
        try {
            code = main_(3);
        } catch (...) {
        }
        std::fflush(nullptr);
        ::_exit(code);
    }
    int err = errno;
    ::close(sv[1]);
    if (pid < 0) {
        ::close(sv[0]);
        ::sigprocmask(SIG_SETMASK, &old, nullptr);
        throw record_error(std::string("cannot start a worker process: ") + std::strerror(err));
    }
    ::setpgid(pid, pid);  // as the child does: whichever runs first
    adopt_worker(pid, sv[0]);
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
}

void supervisor::adopt_worker(pid_t pid, int fd) {
    pid_ = pid;
    offered_ = false;
    fd_ = fd;
    pending_.clear();
    answers_ = 0;
    loaded_.clear();
    interrupts::worker = pid;
}

bool supervisor::worker_exited() const { return child_ended(pid_); }

bool supervisor::wait_exit(double seconds) const {
    return wait_child_ended(pid_, seconds, [] { return interrupts::caught != 0; });
}

// Ends the worker and everything in its process group; returns its wait
// status. The group is killed while the worker is still a zombie, so its
// process group id cannot have been reused.
int supervisor::kill_worker(bool term_first) {
    if (term_first && !worker_exited()) {
        ::kill(-pid_, SIGTERM);
        wait_exit(options_.kill_grace_s);
    }
    ::kill(-pid_, SIGKILL);
    int status = reap_child(pid_);
    interrupts::worker = 0;
    ::close(fd_);
    fd_ = -1;
    pid_ = 0;
    // The pictures it still drew: a job after theirs ran out of time
    // (term_first), or it died.
    fail_pictures(term_first ? "stopped as a later job ran out of time" : death_message(status));
    return status;
}

void supervisor::leave_worker() {
    if (!pid_) return;
    ::kill(-pid_, SIGKILL);
    fail_pictures("it was killed at the end of the run");
    leave_killed_worker(pid_);
    interrupts::worker = 0;
    ::close(fd_);
    fd_ = -1;
    pid_ = 0;
}

bool supervisor::keep_worker() {
    // Not one whose job was cut short, nor in a run a signal ended.
    if (!pid_ || !offered_ || in_flight_ || !pending_.empty() || interrupts::caught != 0 || worker_exited())
        return false;
    ::close(fd_);  // its end of the run: it serves the next one's
    keep_for_next_run(pid_);
    interrupts::worker = 0;
    fd_ = -1;
    pid_ = 0;
    return true;
}

void supervisor::stop_worker() {
    if (!pid_) return;
    finish_pictures();
    if (!pid_) return;  // killed as it drew them
    // EOF tells the worker to finish: its plugins are unloaded properly.
    ::shutdown(fd_, SHUT_WR);
    wait_exit(options_.stop_grace_s);
    kill_worker(false);
}

}  // namespace vr
