// SPDX-License-Identifier: GPL-3.0-or-later
// Work done in a forked child: a copy of this process, plugins included, that
// can render from a pristine instance, crash or hang without harming us.
#pragma once
#include <functional>
#include <string>

namespace vr::host {

struct child_outcome {
    bool ok = false;          // exited 0 after sending its answer
    int exit_code = -1;       // when it exited
    int signal = 0;           // when a signal killed it
    bool timed_out = false;   // killed by us after the timeout
    std::string answer;       // what the child sent back
    // Why the child failed, for an error message ("" when ok).
    std::string failure() const;
};

// Runs fn in a forked child and returns what fn returned (sent over a pipe).
// The child never returns into the caller: it ends with _exit, skipping
// destructors and atexit handlers that belong to the parent. A child still
// running after timeout_s (0: no limit) is killed with SIGKILL.
child_outcome run_in_child(const std::function<std::string()>& fn, double timeout_s);

}  // namespace vr::host
