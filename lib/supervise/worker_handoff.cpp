// SPDX-License-Identifier: GPL-3.0-or-later
#include "supervise/worker_handoff.hpp"

#include <signal.h>
#include <unistd.h>

#include <utility>
#include <vector>

#include "core/process.hpp"

namespace vr {

namespace {

pid_t g_offered = 0;        // a worker made ahead (offer_worker)...
int g_offered_fd = -1;      // ...and its connection
std::vector<pid_t> g_left;  // workers killed unwaited (leave_worker_at_end)
pid_t g_kept = 0;           // the offered worker, kept at the end for another run

// Kills a worker and everything in its process group.
void kill_worker(pid_t pid) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);  // should its group not be made yet
}

}  // namespace

void offer_worker(pid_t pid, int fd) {
    g_offered = pid;
    g_offered_fd = fd;
}

bool take_offered_worker(pid_t& pid, int& fd) {
    if (!g_offered) return false;
    pid = std::exchange(g_offered, 0);
    fd = std::exchange(g_offered_fd, -1);
    return true;
}

void leave_killed_worker(pid_t pid) { g_left.push_back(pid); }

void keep_for_next_run(pid_t pid) { g_kept = pid; }

void reap_left_workers() {
    if (g_offered) {
        kill_worker(g_offered);
        ::close(g_offered_fd);
        g_left.push_back(std::exchange(g_offered, 0));
        g_offered_fd = -1;
    }
    for (pid_t pid : g_left) reap_child(pid);
    g_left.clear();
}

pid_t take_kept_worker() { return std::exchange(g_kept, 0); }

void end_kept_worker() {
    if (const pid_t pid = take_kept_worker()) {
        kill_worker(pid);
        reap_child(pid);
    }
}

}  // namespace vr
