// SPDX-License-Identifier: GPL-3.0-or-later
// vr-win-worker.exe: render-one's plugin host for Windows plugins, built
// with mingw-w64 and run under wine by render-one's worker
// (wine/windows_instance.hpp). It speaks host/instance_wire.hpp on what
// were its stdin and stdout, and nothing else (a plugin's prints go to
// stderr: windows/worker_process.hpp); there is no command line. A request's seed
// pins the plugins' randomness and wall clock (windows/pinned_imports.hpp);
// a worker never sent one leaves them real. Then it keeps each plugin's
// module loaded and can put it back as loaded (windows/module_restore.hpp).
#include <cstdio>

#include "host/instance_server.hpp"
#include "host/instance_wire.hpp"
#include "host/plugin_instance.hpp"
#include "windows/editor_windows.hpp"
#include "windows/module_restore.hpp"
#include "windows/pinned_imports.hpp"
#include "windows/worker_process.hpp"

int main() {
    vr::windows::use_own_desktop();  // before any window: JUCE's message window binds the thread
    const auto wire = vr::windows::become_worker(vr::host::windows_crash_status, vr::host::crash_report_mark);
    vr::windows::pinned::watch_loads();
    vr::host::juce_runtime juce;
    return vr::host::serve_instances(
        wire.in, wire.out, {vr::windows::pinned::pin, vr::windows::keep_module, vr::windows::restore_modules});
}
