// SPDX-License-Identifier: GPL-3.0-or-later
// What became of a process, in the words of error records; how long a job
// may take; how big a process is.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "supervise/supervise.hpp"
#include "supervise/supervise_status.hpp"

namespace vr {

std::string signal_name(int sig) {
    const char* abbrev = ::sigabbrev_np(sig);
    return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

std::string death_message(int wait_status) {
    if (WIFSIGNALED(wait_status)) {
        int sig = WTERMSIG(wait_status);
        // Nothing in a plugin sends SIGKILL: the kernel's OOM killer or a user did.
        if (sig == SIGKILL) return "the render process was killed (signal SIGKILL; out of memory?)";
        return "the plugin crashed (signal " + signal_name(sig) + ")";
    }
    if (WIFEXITED(wait_status))
        return "the plugin ended the render process (exit status " + std::to_string(WEXITSTATUS(wait_status)) + ")";
    return "the render process stopped (wait status " + std::to_string(wait_status) + ")";
}

std::string timeout_message(double limit_s) {
    char text[64];
    std::snprintf(text, sizeof text, "timeout after %.1f s", limit_s);
    return text;
}

double default_timeout_s(double audio_s) {
    // Plugins render far faster than real time; ten times is for a loaded
    // machine running -j$(nproc) workers.
    return 30.0 + 10.0 * std::max(0.0, audio_s);
}

double load_allowance_s(double known_load_s) {
    // The probe loads two instances, warms them up and renders in two
    // children (DESIGN.md rules 4 and 5): several times one load. A plugin
    // never loaded yet gets a long time, so that a slow first load is not
    // taken for a hang, which would fail every job that needs it.
    return known_load_s < 0 ? 120.0 : 10.0 + 5.0 * known_load_s;
}

double rss_mb(pid_t pid) {
    std::ifstream in(pid ? "/proc/" + std::to_string(pid) + "/status" : std::string("/proc/self/status"));
    std::string key;
    while (in >> key) {
        if (key == "VmRSS:") {
            double kb = 0;
            if (!(in >> kb)) return 0;
            return std::round(kb / 1024.0 * 10.0) / 10.0;
        }
        in.ignore(1 << 16, '\n');
    }
    return 0;
}

}  // namespace vr
