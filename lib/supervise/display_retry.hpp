// SPDX-License-Identifier: GPL-3.0-or-later
// Work that loads a plugin in this process, outside a supervised job
// (render-one --list-programs, --export-programs, --export-bank), kept
// safe from a plugin that ends its process as it loads with no display
// (JUCE 5's VST2 builds): the same rule the supervisor keeps for a job
// (supervise_display.cpp), for a process that has no worker.
#pragma once
#include <functional>
#include <string>

#include "core/records.hpp"

namespace vr {

// What stderr says before loading `plugin` again on a display.
std::string ended_without_display(const std::string& plugin);

// Runs `work` (it writes its records to `out` and gives an exit status).
// With DISPLAY set, here. Otherwise in a forked child first; a child that
// ended before `work` was done (the plugin ended it) and may have wanted a
// display (may_want_display) runs `work` again here on this process's Xvfb,
// said on stderr; without Xvfb, or for any other end, one error record for
// `plugin` says how the child ended.
int run_needing_display(const std::function<int()>& work, const std::string& plugin, record_writer& out);

}  // namespace vr
