// SPDX-License-Identifier: GPL-3.0-or-later
// Workers that pass between a process's supervisors rather than being
// forked and ended by one: a worker made ahead and offered to the next
// supervisor (a warm render-one's session makes one while it waits for its
// caller, warm/warm.hpp), the one a supervisor kept at its end for the
// session's next run, and those it killed at its end and left to be reaped
// once its caller has been told how the run ended.
#pragma once
#include <sys/types.h>

namespace vr {

// A worker made ahead of this process's next supervisor, already serving
// on its end of fd: the first unsandboxed worker a supervisor starts is
// this one instead of a new fork.
void offer_worker(pid_t pid, int fd);

// Reaps the workers that supervisors of this process killed and left at
// their end (supervise_options::leave_worker_at_end), and kills and reaps
// one offered that no supervisor took (a run that ended before its first
// job); returns when they are gone.
void reap_left_workers();

// The worker made ahead that this process's last supervisor kept at its
// end (leave_worker_at_end, the worker offered, still serving and no job
// of it cut short): its connection closed, it waits for another run.
// Returns its pid and forgets it; 0 when none was kept.
pid_t take_kept_worker();

// Kills and reaps a kept worker not taken (this process ends).
void end_kept_worker();

// A supervisor's side: takes the worker offered (false when none is);
// leaves one it killed to reap_left_workers; keeps the offered one.
bool take_offered_worker(pid_t& pid, int& fd);
void leave_killed_worker(pid_t pid);
void keep_for_next_run(pid_t pid);

}  // namespace vr
