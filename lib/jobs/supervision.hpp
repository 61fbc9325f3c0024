// SPDX-License-Identifier: GPL-3.0-or-later
// How render-one's workers are to be supervised, as its command line says
// (jobs/options.hpp reads it): time limits, retries, memory, and what every
// sandbox adds. The supervisor (supervise/supervise.hpp) and the sandbox
// (supervise/sandbox.hpp) are told these.
#pragma once
#include <csignal>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace vr {

// What the command line adds to every sandbox: the plugin's HOME, when
// given (else a private temporary one), and folders every job reads.
struct sandbox_settings {
    std::optional<std::string> plugin_home;   // absolute (--plugin-home)
    std::vector<std::string> readable;        // absolute folders (--faust-lib)
    std::vector<std::string> windows_readable;  // absolute folders a job of a Windows plugin reads too (the Windows worker's)
};

struct supervise_options {
    double timeout_s = -1;      // per job (see rendering_callback): < 0 derived (default_timeout_s), 0 none
    // The allowance for loading the plugin, added to a job's limit until its
    // render begins when its worker has not loaded the plugin yet: < 0
    // derived (load_allowance_s), else these seconds (0: none).
    double load_timeout_s = -1;
    int retries = 0;            // further tries, each in a fresh worker, of a job whose plugin crashed or whose load timed out
    double max_rss_mb = 0;      // replace the worker between jobs once its RSS is past this (0: never)
    double kill_grace_s = 1.0;  // from SIGTERM to SIGKILL when a job overruns
    double stop_grace_s = 5.0;  // for a worker told to finish, before SIGKILL
    // At the end of the run, the worker (and its process group) is killed
    // instead of told to finish and waited for, and left to be reaped by
    // whoever ends this process: a warm render-one's session, which tells
    // its caller how the run ended first (taking down a process the
    // worker's size is most of a millisecond on the caller's time).
    bool leave_worker_at_end = false;
    sandbox_settings sandbox;   // what every sandboxed worker gets
    // Run in the supervising process when a signal ends the run with a job
    // in flight: after its worker is killed and its temporaries removed,
    // before the process dies of the signal (not in a signal handler).
    // render-one stops there the wine servers it started.
    std::function<void()> on_interrupt;
    // A signal between jobs (no job in flight) ends the run at once,
    // unless this points at a value that is not 0 then (read in the signal
    // handler: what on_interrupt has to do, such as the count of wine
    // servers held): then the supervisor kills the idle worker and ends
    // standard input (/dev/null put in its place, so a job loop reading it
    // sees its end), and the run ends as above at the next job or at the
    // caller's next supervisor::end_if_interrupted (render-one calls it
    // after its job loop, plugin-scan before each folder and record of its
    // walk).
    const volatile sig_atomic_t* interrupt_deferred_while = nullptr;
};

}  // namespace vr
