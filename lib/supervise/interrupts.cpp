// SPDX-License-Identifier: GPL-3.0-or-later
#include "supervise/interrupts.hpp"

#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <utility>

namespace vr::interrupts {

volatile sig_atomic_t caught = 0;
volatile sig_atomic_t busy = 0;
volatile sig_atomic_t worker = 0;
const volatile sig_atomic_t* ends_input = nullptr;
struct sigaction old_int {}, old_term {};

namespace {

pid_t g_supervisor = 0;
bool g_installed = false;

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

sigset_t set() {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    sigaddset(&s, SIGTERM);
    return s;
}

}  // namespace vr::interrupts
