// SPDX-License-Identifier: GPL-3.0-or-later
// plugin-scan's loading: each plugin described (host/describe_instance.hpp)
// in a forked child of the scan's worker process (lib/supervise/supervise.hpp),
// so that a plugin that crashes or hangs costs only its record and every
// plugin starts from the same clean process; a Windows plugin by a Windows
// worker of its own under wine, started by that child.
#pragma once
#include "core/records.hpp"
#include "plugins/plugin_scan.hpp"

namespace vr::host {

// The fields of each plugin the job's file holds (host/describe_instance.hpp's
// describe_file; for a Windows plugin wine/windows_instance.hpp's
// describe_windows_plugin, with wine_version). Needs a juce_runtime. Throws
// child_failed (a crash, named by its signal, or timeout_s passed; 0: no
// limit) or record_error saying why the plugin would not load.
json describe_plugins(const scan_job& job, double timeout_s);

}  // namespace vr::host
