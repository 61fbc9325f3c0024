// SPDX-License-Identifier: GPL-3.0-or-later
#include "supervise/interrupts.hpp"

#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <utility>

namespace vr::interrupts {

volatile sig_atomic_t caught = 0;
volatile sig_atomic_t busy = 0;
volatile sig_atomic_t worker = 0;
volatile sig_atomic_t job_child = 0;
const volatile sig_atomic_t* ends_input = nullptr;
struct sigaction old_int {}, old_term {};

namespace {

pid_t g_supervisor = 0;
bool g_installed = false;
volatile sig_atomic_t g_tell_fd = -1;  // a worker's connection to its supervisor

}  // namespace

void die_now(int sig) {
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

namespace {

// Sets caught, and acts on it as the header says.
extern "C" void on_interrupt(int sig) {
    // A worker between fork and resetting its handlers has them blocked; be
    // sure anyway that only the supervisor acts.
    if (::getpid() != g_supervisor) return die_now(sig);
    caught = sig;
    if (worker > 0) ::kill(-worker, SIGKILL);
    // Idle: no temporary file is being written; die at once, or end the
    // input, so that the job loop ends and the run cleans up as it would
    // with a job in flight. Busy: the wait loop sees caught (its poll or
    // sleep returns EINTR) and cleans up.
    if (busy) return;
    if (!ends_input || *ends_input == 0) return die_now(sig);
    const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null < 0 || ::dup2(null, 0) < 0) return die_now(sig);
    ::close(null);
}

}  // namespace

void install() {
    if (g_installed) return;
    g_installed = true;
    g_supervisor = ::getpid();
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a blocked wait must see the signal
    for (auto [sig, old] : {std::pair{SIGINT, &old_int}, std::pair{SIGTERM, &old_term}}) {
        ::sigaction(sig, nullptr, old);
        // A signal ignored when we started (nohup, a background job) stays ignored.
        if (old->sa_handler != SIG_IGN) ::sigaction(sig, &sa, nullptr);
    }
}

namespace {

// Writes the worker's ended_by_signal line for sig; async-signal-safe. A
// newline first, so that it stands alone even after a line cut short.
void tell_supervisor(int sig) {
    const int fd = g_tell_fd;
    if (fd < 0 || sig <= 0 || sig >= 100) return;
    char line[40];
    std::size_t n = 0;
    line[n++] = '\n';
    for (const char* k = ended_by_signal_key; *k != '\0';) line[n++] = *k++;
    if (sig >= 10) line[n++] = static_cast<char>('0' + sig / 10);
    line[n++] = static_cast<char>('0' + sig % 10);
    line[n++] = '}';
    line[n++] = '\n';
    for (std::size_t done = 0; done < n;) {
        const ssize_t w = ::write(fd, line + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        done += static_cast<std::size_t>(w);
    }
}

extern "C" void in_worker(int sig, siginfo_t* info, void*) {
    // Sent by a process (kill, sigqueue, tgkill: raise), not the kernel's
    // (a terminal's): who sent it says whose it is.
    const bool sent = info != nullptr && (info->si_code == SI_USER || info->si_code == SI_QUEUE ||
                                          info->si_code == SI_TKILL);
    const pid_t child = job_child;
    const bool own = sent && (info->si_pid == ::getpid() || (child > 0 && info->si_pid == child));
    const int saved = errno;
    if (!own) tell_supervisor(sig);
    errno = saved;
    die_now(sig);
}

}  // namespace

void install_in_worker(int fd) {
    g_tell_fd = fd;
    struct sigaction sa {};
    sa.sa_sigaction = in_worker;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_SIGINFO;
    for (int sig : {SIGINT, SIGTERM}) {
        struct sigaction now {};
        ::sigaction(sig, nullptr, &now);
        if (now.sa_handler != SIG_IGN) ::sigaction(sig, &sa, nullptr);
    }
}

void not_a_worker() noexcept { g_tell_fd = -1; }

int ended_by_signal(const char* line, unsigned long size) {
    const std::size_t key = std::strlen(ended_by_signal_key);
    if (size < key + 2 || std::memcmp(line, ended_by_signal_key, key) != 0 || line[size - 1] != '}') return 0;
    int sig = 0;
    for (std::size_t i = key; i + 1 < size; ++i) {
        if (line[i] < '0' || line[i] > '9' || sig >= 10) return 0;
        sig = sig * 10 + (line[i] - '0');
    }
    return sig;
}

void end_from_outside(int sig) {
    tell_supervisor(sig);
    die_now(sig);
    ::_exit(128 + sig);  // not reached
}

sigset_t set() {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    sigaddset(&s, SIGTERM);
    return s;
}

}  // namespace vr::interrupts
