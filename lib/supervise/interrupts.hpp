// SPDX-License-Identifier: GPL-3.0-or-later
// The supervisor's SIGINT and SIGTERM (supervise.hpp): the handler, and the
// plain values it shares with the supervisor. A signal with a job in
// flight is acted on by the supervisor's wait; between jobs the handler
// dies at once, or ends the input when asked to (ends_input). And the
// worker's (install_in_worker): it tells a signal from outside, which ends
// the run, from the plugin's own, which is the job's crash.
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

// In a worker, and inherited by the children it forks for jobs: SIGINT and
// SIGTERM from outside (a scheduler cancelling a task signals each of its
// processes, a user's kill) first say so to the supervisor on the worker's
// connection fd, in a line of their own (ended_by_signal_key), then kill
// as before; the supervisor then ends the run by that signal, whichever of
// its processes the signal reached first. The plugin's own (raised by the
// process, or sent by the job's child, job_child) kill without a word:
// the job gets the crash's record and the run goes on. Disposition kept
// where the signal is ignored (render-one started with it ignored).
void install_in_worker(int fd);

// In a child the worker forks to exec something else (Xvfb, wine): a
// signal before the exec says nothing on the worker's connection (which
// the child may have put another file on).
void not_a_worker() noexcept;

// The worker's child rendering the job in flight (linux/child.hpp), or 0.
extern volatile sig_atomic_t job_child;

// What a worker says before it dies of a signal from outside, and the
// signal such a line names (0: the line is not one).
constexpr const char* ended_by_signal_key = "{\"ended_by_signal\":";
int ended_by_signal(const char* line, unsigned long size);

// Says that sig came from outside (as the handler does) and dies of it: for
// a process of the worker's that such a signal killed (the Windows worker).
[[noreturn]] void end_from_outside(int sig);

}  // namespace vr::interrupts
