// SPDX-License-Identifier: GPL-3.0-or-later
// A display for plugins that need one where there is none (render-one(1),
// "Plugins that need a display"): one Xvfb for the whole process, started
// on first need, for a Linux plugin that ends its process as it loads
// without a display (JUCE 5's VST2 builds) and for a Windows plugin that
// needs a window. The supervisor starts it for its workers (its DISPLAY
// sent with a job, supervise_worker.hpp); a Windows plugin's worker starts
// its own (wine/windows_instance.cpp); a sandboxed worker always its own.
#pragma once
#include <sys/types.h>

#include <string>

namespace vr {

// The DISPLAY a plugin that needs one should use. When DISPLAY is set, its
// value, and nothing is started. Otherwise one Xvfb for the whole process,
// started on the first call (the first free display from :10 up: never :0,
// which JUCE with DISPLAY unset takes for its own), never a second;
// stopped (and waited for) at exit, and killed with this process if it
// dies first, so call it from a thread that lives as long as the process
// (the kernel's parent-death signal follows the thread that started the
// child; render-one's supervisor is single-threaded). Throws record_error
// when Xvfb is missing (saying missing, then "and there is no display:
// apt-get install xvfb") or does not start.
std::string virtual_display(const std::string& missing);

// The same Xvfb even when DISPLAY is set: the display of the run's own
// that plugins' editors draw on (render-one --screenshots, --editor-first),
// never a user's. Its screen is 2560x1600 with 24-bit colour.
std::string own_virtual_display(const std::string& missing);

// The DISPLAY of the Xvfb virtual_display() started in this process (or in
// the process this one was forked from), or "" when it started none.
std::string started_display();

// The process id of the Xvfb virtual_display() started, or 0 when it
// started none.
pid_t started_display_pid();

// Stops the Xvfb virtual_display() started, if any, and waits for it; what
// the exit handler does, for a caller that wants it gone sooner.
void stop_display();

// Whether a plugin's process that died as the plugin loaded (killed by the
// signal named, as error.signal names it, or "" for an exit) may have died
// for want of a display, so that loading it again with one may help: no
// DISPLAY in this process's environment (the caller knows whether it gave
// the plugin its Xvfb), and not SIGKILL, which only comes from outside (the
// kernel's OOM killer, a user's kill -9), never from a plugin's want of a
// display.
bool may_want_display(const std::string& signal);

// The value a supervisor sends with a job for a sandboxed worker, whose
// display must be its own (the sandbox hides the supervisor's): use_display
// starts one in the worker's process.
inline constexpr const char* own_display = "own";

// A worker's side (serve_jobs): DISPLAY set to display for this process
// and every process it starts, before the job's plugin loads; for
// own_display, to the Xvfb virtual_display() starts here (said on stderr
// once). Throws record_error when that Xvfb cannot start.
void use_display(const std::string& display);

}  // namespace vr
