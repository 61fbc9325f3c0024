// SPDX-License-Identifier: GPL-3.0-or-later
// Where the Windows worker (vr-win-worker.exe) is. Linux only.
#pragma once
#include <string>

namespace vr::wine {

// VR_WIN_WORKER if set, else the one of the plain build tree this
// render-one was built in, else /usr/lib/vst-render/vr-win-worker.exe.
// Throws record_error when none is there ("the Windows worker is not built
// (make) or installed").
std::string windows_worker_path();

}  // namespace vr::wine
