// SPDX-License-Identifier: GPL-3.0-or-later
// Where wine and the Windows worker are, the environment the worker runs
// in, and a Linux path as the Windows worker names it. Linux only.
#pragma once
#include <string>
#include <vector>

namespace vr::wine {

// The wine command (found on PATH); throws record_error when wine is not
// installed: "a Windows plugin needs wine: apt-get install wine wine64".
std::string wine_command();

// `wine --version` ("wine-8.0 (Debian 8.0~repack-4)"), asked once.
const std::string& wine_version_text();

// Where the Windows worker is: VR_WIN_WORKER if set, else the one of the
// plain build tree this render-one was built in, else
// /usr/lib/vst-render/vr-win-worker.exe. Throws record_error when none is
// there ("the Windows worker is not built (make) or installed").
std::string windows_worker_path();

// What the Windows worker gets beside this process's environment:
// WINEPREFIX, WINEDEBUG=-all (wine's own messages stay out of our output),
// WINEDLLOVERRIDES=winedbg.exe=d (a crash never starts the debugger, which
// would write into the pipe), as NAME=VALUE texts.
std::vector<std::string> worker_environment(const std::string& prefix);

}  // namespace vr::wine
