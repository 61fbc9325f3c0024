// SPDX-License-Identifier: GPL-3.0-or-later
#include "wine/wine_paths.hpp"

#include <unistd.h>

#include <cstdlib>

#include "core/error.hpp"

#ifndef VR_WIN_WORKER_BUILT
#define VR_WIN_WORKER_BUILT ""
#endif

namespace vr::wine {

std::string windows_worker_path() {
    if (const char* given = std::getenv("VR_WIN_WORKER"); given && *given) {
        if (::access(given, R_OK) != 0)
            throw record_error(std::string("VR_WIN_WORKER names ") + given + ", which is not there");
        return given;
    }
    for (const char* p : {VR_WIN_WORKER_BUILT, "/usr/lib/vst-render/vr-win-worker.exe"})
        if (*p && ::access(p, R_OK) == 0) return p;
    throw record_error("the Windows worker is not built (make) or installed (/usr/lib/vst-render/vr-win-worker.exe)");
}

}  // namespace vr::wine
