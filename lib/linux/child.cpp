// SPDX-License-Identifier: GPL-3.0-or-later
#include "linux/child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/handles.hpp"
#include "core/process.hpp"
#include "supervise/interrupts.hpp"
#include "supervise/supervise.hpp"
#include "supervise/supervise_status.hpp"

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

// A child's answer goes out after its length (8 bytes, little-endian): a
// parent that has it all needs no exit status to trust it.
constexpr std::size_t length_bytes = 8;

std::string with_length(std::string answer) {
    std::string out(length_bytes, '\0');
    auto n = static_cast<std::uint64_t>(answer.size());
    for (std::size_t i = 0; i < length_bytes; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xFF);
    return out + answer;
}

// The answer without its length, when the whole answer arrived.
std::optional<std::string> complete_answer(const std::string& got) {
    if (got.size() < length_bytes) return std::nullopt;
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < length_bytes; ++i) n |= static_cast<std::uint64_t>(static_cast<unsigned char>(got[i])) << (8 * i);
    if (n != got.size() - length_bytes) return std::nullopt;
    return got.substr(length_bytes);
}

// Children that answered in full and were left to exit on their own: an
// exiting process tears down its copy of our memory, a good part of a
// millisecond the next job need not wait for. Reaped at the next fork.
std::vector<pid_t> g_unreaped;

}  // namespace

void reap_finished_children() {
    for (pid_t pid : g_unreaped) reap_child(pid);
    g_unreaped.clear();
}

child_outcome run_in_child(const std::function<std::string()>& fn, double timeout_s,
                           std::function<bool()> idle) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw record_error(std::string("cannot create a pipe: ") + std::strerror(errno));
    unique_fd read_end(fds[0]), write_end(fds[1]);
    reap_finished_children();
    // Whatever sits in stdio buffers would otherwise be written twice.
    std::fflush(nullptr);
    pid_t parent = ::getpid();
    // SIGINT and SIGTERM wait until job_child names the child: a child that
    // runs first and signals its process group before the parent has set
    // it (a loaded machine) would otherwise be taken for the outside.
    const sigset_t interrupt_signals = interrupts::set();
    sigset_t before;
    ::pthread_sigmask(SIG_BLOCK, &interrupt_signals, &before);
    pid_t pid = ::fork();
    if (pid < 0) {
        ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
        throw record_error(std::string("cannot fork: ") + std::strerror(errno));
    }
    if (pid == 0) {
        interrupts::job_child = 0;
        ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
        read_end.release();
        // A render nobody waits for is worth nothing: die with the parent.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(72);
        int code = 0;
        try {
            write_all(write_end.get(), with_length(fn()));
        } catch (...) {
            code = 70;
        }
        std::fflush(nullptr);
        // The parent reads to the end of the pipe: it ends here, not after
        // the teardown of this process's memory.
        ::close(write_end.release());
        ::_exit(code);
    }
    write_end.close("pipe");
    // SIGINT or SIGTERM it sends us is the plugin's, not the run's end
    // (supervise/interrupts.hpp).
    interrupts::job_child = pid;
    ::pthread_sigmask(SIG_SETMASK, &before, nullptr);

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
        int r = ::poll(&p, 1, idle ? 0 : wait_ms);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) {
            if (idle && !idle()) idle = nullptr;
            continue;  // the deadline is checked above
        }
        ssize_t n = ::read(read_end.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.answer.append(buf, static_cast<std::size_t>(n));
    }
    if (!out.timed_out) {
        if (auto answer = complete_answer(out.answer)) {
            out.answer = std::move(*answer);
            out.ok = true;
            out.exit_code = 0;
            g_unreaped.push_back(pid);
            return out;
        }
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
