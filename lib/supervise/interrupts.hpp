// SPDX-License-Identifier: GPL-3.0-or-later
// The supervisor's SIGINT and SIGTERM (supervise.hpp): the handler, and the
// plain values it shares with the supervisor. A signal with a job in
// flight is acted on by the supervisor's wait; between jobs the handler
// dies at once, or ends the input when asked to (ends_input).
#pragma once
#include <signal.h>

namespace vr::interrupts {

extern volatile sig_atomic_t caught;  // the signal to die of once the job in flight is cleaned up
extern volatile sig_atomic_t busy;    // a job is in flight: the supervisor cleans up before dying
extern volatile sig_atomic_t worker;  // the worker's pid and process group, or 0
extern const volatile sig_atomic_t* ends_input;  // idle: end the input rather than die while it is not 0
extern struct sigaction old_int, old_term;       // what SIGINT and SIGTERM did before (a worker puts it back)

// Installs the handler for SIGINT and SIGTERM, once a process; a signal
// ignored when the process started (nohup, a background job) stays ignored.
void install();

// Dies of sig, by its default action.
void die_now(int sig);

// SIGINT and SIGTERM, for sigprocmask.
sigset_t set();

}  // namespace vr::interrupts
