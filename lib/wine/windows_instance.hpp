// SPDX-License-Identifier: GPL-3.0-or-later
// Windows plugins, hosted by the Windows worker (vr-win-worker.exe, our own
// JUCE host built with mingw-w64: tools/windows/) run under wine, behind
// the plugin_instance interface: render-one's worker drives them as it
// drives its own instances, and only float audio, presets and states cross
// the pipe (host/instance_wire.hpp). Linux only.
#pragma once
#include <memory>
#include <optional>

#include "host/plugin_instance.hpp"
#include "plugins/plugin_ref.hpp"
#include "plugins/plugin_scan.hpp"
#include "wine/windows_host.hpp"

namespace vr::wine {

// The prefix the Windows plugin ref loads in (plugins/wine_prefix.hpp:
// its own, the job's, WINEPREFIX, ~/.wine); throws record_error.
std::string prefix_of(const plugin_ref& ref);

// The prefix the Windows plugin ref loads in, once what keeps it from
// loading there has been looked for: first what its file says alone (a
// 32-bit build, no entry point, a bundle without a 64-bit Windows module:
// no wine or prefix needed for that), then wine, the prefix, and the DLLs
// the prefix lacks. Throws record_error saying why it would not load.
std::string checked_prefix(const plugin_ref& ref);

// What a probe's verdict of the Windows plugin ref depends on beyond the
// plugin and render-one's build (supervise/probe_cache.hpp's key): the
// prefix it loads in, with the wine.inf stamp of the wine that last updated
// it and its system32 folder as stat sees it (a runtime installed there
// changes it), the wine on PATH (its file, version and wine.inf) and the
// Windows worker's file. None when any of them cannot be looked at (no
// wine, a prefix not made yet, no worker): the verdict is not kept.
std::optional<json> verdict_identity(const plugin_ref& ref);

// plugin-scan's fields of the Windows plugin of job (host/describe_instance.hpp's,
// each with wine_version), from a Windows worker of its own in the prefix
// the plugin loads in, ended before this returns; the caller keeps the
// prefix's server up (keep_server_up) from a process that outlives this
// call. Throws record_error: why the plugin would not load, or how the
// worker crashed.
json describe_windows_plugin(const scan_job& job);

// A new instance of the Windows plugin ref, in the prefix's shared host,
// or with own_process in a host of its own (isolation process), or with
// restoring in the host kept there (started, and kept there, when there is
// none or it died), after that host has put its plugin back as it was
// loaded (isolation restore: windows/module_restore.hpp). Throws
// record_error saying why it would not load, or why no restore.
// A Windows worker of its own for ref's prefix, started now (its greeting
// is read by its first call: it starts while other work goes on), for
// load_windows_instance's restoring. Throws record_error.
std::shared_ptr<windows_host> start_restoring_host(const plugin_ref& ref);

std::unique_ptr<host::plugin_instance> load_windows_instance(const plugin_ref& ref, int sample_rate, int block_size,
                                                             bool sidechain, bool own_process = false,
                                                             std::shared_ptr<windows_host>* restoring = nullptr);

}  // namespace vr::wine
