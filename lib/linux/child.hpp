// SPDX-License-Identifier: GPL-3.0-or-later
// Work done in a forked child: a copy of this process, plugins included, that
// can render from a pristine instance, crash or hang without harming us.
#pragma once
#include <functional>
#include <string>

#include "core/error.hpp"
#include "core/records.hpp"

namespace vr::host {

struct child_outcome {
    bool ok = false;          // sent its whole answer (then left to exit: not waited for)
    int exit_code = -1;       // when it exited
    int signal = 0;           // when a signal killed it
    int wait_status = 0;      // as waitpid gave it
    bool timed_out = false;   // killed by us after the timeout
    double timeout_s = 0;     // the limit it had
    std::string answer;       // what the child sent back
    // Why the child failed, for an error message ("" when ok), in the words
    // the supervisor uses for a worker (lib/supervise/supervise.hpp).
    std::string failure() const;
};

// Runs fn in a forked child and returns what fn returned (sent over a pipe).
// The child never returns into the caller: it ends with _exit, skipping
// destructors and atexit handlers that belong to the parent, and it dies
// with this process (even of SIGKILL). A child still running after
// timeout_s (0: no limit) is killed with SIGKILL. A child that sent its
// whole answer is reaped at the next call, not waited for now.
// While it waits for the child, idle (when given) is called whenever the
// child has nothing to say: work of the parent's that the child's answer
// need not wait for, a millisecond or so a call, until it returns false
// (it has no more).
child_outcome run_in_child(const std::function<std::string()>& fn, double timeout_s,
                           std::function<bool()> idle = nullptr);

// Reaps the children run_in_child left to exit on their own. For a process
// about to end: its children would outlive it as zombies where init reaps
// nothing (a container's).
void reap_finished_children();

// A job whose child failed: the message is the child's failure(), and the
// outcome says whether a signal killed it and whether a retry may help.
class child_failed : public record_error {
public:
    explicit child_failed(child_outcome outcome, const std::string& prefix = "")
        : record_error(prefix + outcome.failure()), outcome_(std::move(outcome)) {}
    // error.signal's value ("SIGSEGV"), or "" when no signal killed it.
    std::string signal() const;
    // The child died (a crash or an exit, not a timeout): a retry may help.
    bool crashed() const noexcept { return !outcome_.timed_out; }

private:
    child_outcome outcome_;
};

}  // namespace vr::host
