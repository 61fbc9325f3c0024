// SPDX-License-Identifier: GPL-3.0-or-later
// A display for Windows plugins that need a window: the user's own, or one
// Xvfb for the whole process, started on first need.
#pragma once
#include <sys/types.h>

#include <string>

namespace vr::wine {

// The DISPLAY a Windows worker should use. When DISPLAY is set, its value,
// and nothing is started. Otherwise one Xvfb for the whole process, started
// on the first call (the first free display from :10 up: never :0, which a
// Linux JUCE plugin with DISPLAY unset takes for its own),
// never a second; stopped (and waited for) at exit, and killed with this
// process if it dies first, so call it from a thread that lives as long as
// the process (the kernel's parent-death signal follows the thread that
// started the child; render-one's supervisor is single-threaded). Throws
// record_error when Xvfb is missing or does not start.
std::string windows_display();

// The DISPLAY of the Xvfb windows_display() started in this process, or ""
// when it started none.
std::string started_display();

// The process id of the Xvfb windows_display() started in this process, or
// 0 when it started none.
pid_t started_display_pid();

// Stops the Xvfb windows_display() started, if any, and waits for it; what
// the exit handler does, for a caller that wants it gone sooner.
void stop_display();

}  // namespace vr::wine
