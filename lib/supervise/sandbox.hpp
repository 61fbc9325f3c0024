// SPDX-License-Identifier: GPL-3.0-or-later
// The sandbox of an untrusted plugin (--sandbox, a job's sandbox field): a
// worker process run under bubblewrap, with no network, the file system
// read-only but for the job's output root, the plugin's HOME and a private
// /tmp, users' folders hidden but for what the jobs name, no DISPLAY, and a
// process namespace of its own that dies with render-one and takes
// everything the plugin started with it (wine's server and an Xvfb too). The supervisor forks a worker as for any job; a
// sandboxed one execs bwrap, which execs render-one again as a worker on
// fd 3 (sandbox_worker_marker).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "jobs/job.hpp"
#include "jobs/supervision.hpp"

namespace vr {

// The sandbox a job needs; a worker started for one serves the jobs whose
// sandbox it covers. Folders are absolute and normalised; only those inside
// the trees the sandbox hides (/home, /root, /tmp, /var/tmp, /run) are
// listed, the rest of the file system being readable anyway, and a wine
// prefix under the output root, which must not be writable there.
struct sandbox_spec {
    bool on = false;
    std::string output_root;            // bound writable
    std::vector<std::string> readable;  // bound read-only, sorted, unique

    // Whether a worker in this sandbox may render a job that needs other:
    // both off, or both on with one output root and every folder of other
    // readable here (itself or a folder above it).
    bool covers(const sandbox_spec& other) const;
    // Adds other's readable folders (same output root).
    void merge(const sandbox_spec& other);
    bool operator==(const sandbox_spec&) const = default;
};

// The decision, made here and only here, of which sandbox renders a job,
// the supervisor told the answer: the running worker's own (current) when
// it covers the job's; else a new worker's, which also covers current's
// jobs when both are on with one output root (current grown by the job's
// folders), or is the job's own. worker_running false: no worker runs now
// (none yet, or it died), and the new one is made as for a change.
sandbox_spec worker_sandbox_for(const sandbox_spec& current, const sandbox_spec& job, bool worker_running);

// The sandbox of a checked job: off unless job.sandbox; then its output root
// and the folders of its plugins, presets, states, MIDI, input and
// sidechain files, and settings.readable; for a Windows plugin also its
// wine prefix (read-only: wine's writes there fail, its registry changes
// live in the sandbox's own wineserver until it ends) and
// settings.windows_readable.
sandbox_spec sandbox_of(const render_job& job, const sandbox_settings& settings);

// Whether sandboxes can be made here: runs bwrap (VR_BWRAP, else bwrap on
// PATH) once with the options a worker gets; nullopt when it works, else
// why not (its message). The answer is kept for the run.
std::optional<std::string> sandbox_unavailable();

// For --sandbox: throws fatal_error saying why when sandbox_unavailable().
void require_sandbox();

// The argument render-one appends to its own command line for a worker it
// runs in a sandbox: "serve jobs on fd 3". Never given by a user.
inline constexpr const char* sandbox_worker_marker = "--internal-sandboxed-worker";

// Whether argv ends with sandbox_worker_marker; removes it (--argc) if so.
bool take_sandbox_worker_marker(int& argc, char** argv);

// The command that runs this program as a sandboxed worker: bwrap, its
// options for spec (the plugin's HOME bound writable: settings', else a
// private folder made for the run and removed at its end), then this
// executable with its own arguments and the marker. Built in the
// supervisor, before the fork; throws record_error when the private HOME
// cannot be made.
std::vector<std::string> sandboxed_worker_command(const sandbox_spec& spec, const sandbox_settings& settings);

// Removes the private HOME made for the run now (a process about to die of
// a signal runs no destructor); the next sandbox makes a new one.
void remove_sandbox_home();

// In the forked worker, fd 3 its connection: execs command (exit status
// 127 when it cannot). Never returns.
[[noreturn]] void exec_sandboxed_worker(const std::vector<std::string>& command);

}  // namespace vr
