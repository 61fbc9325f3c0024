// SPDX-License-Identifier: GPL-3.0-or-later
// Waiting for child processes, whatever signals arrive meanwhile: a signal
// handler installed without SA_RESTART (lib/supervise/supervise.cpp) makes
// every blocking wait return EINTR, which must not be taken for an answer.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <functional>

namespace vr {

// The end of a wait: a moment some seconds from when it is set, on the
// steady clock (which no change of the system time moves).
class deadline {
public:
    explicit deadline(double seconds);
    // Seconds until the moment; 0 or less once it has passed.
    double seconds_left() const;

private:
    std::chrono::steady_clock::time_point at_;
};

// Waits for the child pid to end and reaps it; returns its wait status (as
// waitpid gives it), or 0 when pid is no child of ours (ECHILD).
int reap_child(pid_t pid);

// Whether the child pid has ended, without waiting and without reaping it:
// it stays a zombie, so its pid and process group id cannot be reused
// until reap_child.
bool child_ended(pid_t pid);

// Waits up to seconds for the child pid to end, without reaping it; true
// when it has ended. Gives up early, returning false, once stop() (checked
// at least every 20 ms, and after any signal) returns true.
bool wait_child_ended(pid_t pid, double seconds, const std::function<bool()>& stop = {});

// For a tool that hosts plugins: a private copy of standard output for the
// records, returned (close-on-exec), and fd 1 pointed at stderr, so that a
// plugin's printf cannot break the record stream (DESIGN.md rule 9).
// Throws fatal_error when the descriptors cannot be set up.
int protect_stdout();

// The same for a tool whose records go to a file (render-one --records):
// fd 1 pointed at stderr, and path opened for the records (created or
// emptied, close-on-exec) and returned. Throws fatal_error naming path.
int protect_stdout_records_to(const std::string& path);

// Makes text this process's standard input (a memory file read
// from its start), as if it had been piped in. Throws fatal_error.
void stdin_from_text(const std::string& text);

// This process's executable, as a path to run it again by (throws
// record_error when /proc cannot say; one replaced while we run is named
// by its path, where the new one is).
std::string own_executable();

}  // namespace vr
