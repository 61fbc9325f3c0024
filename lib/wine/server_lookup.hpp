// SPDX-License-Identifier: GPL-3.0-or-later
// A wine prefix's server seen from outside, as wine itself finds it: by the
// lock its server holds for its whole life (no process is found by name),
// and who holds our own lock files (prefix_server's bookkeeping).
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

namespace vr::wine {

// The pid of the wineserver serving prefix: > 0 its pid, 0 when none runs,
// -1 when one runs whose pid this process cannot see (another pid
// namespace). Looks where wine 8 keeps its server folder: Debian's
// /run/user/<uid>/wine, or the folder the prefix's `wineserver` file names
// under $TMPDIR or /tmp; upstream's /tmp/.wine-<uid>. Creates nothing.
pid_t server_pid(const std::string& prefix);

// A server as its pid and start time (field 22 of /proc/PID/stat, in clock
// ticks since boot), so that a later server given the same pid is another
// one; empty when there is none, or none this process can see.
std::string server_identity(pid_t pid);

// The processes holding a flock on fd's file, as /proc/locks lists them
// ("1: FLOCK  ADVISORY  READ 1234 08:01:5678 0 EOF"; waiters, marked
// "->", hold nothing). Empty when it cannot be read.
std::vector<pid_t> flock_holders(int fd);

}  // namespace vr::wine
