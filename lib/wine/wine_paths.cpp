// SPDX-License-Identifier: GPL-3.0-or-later
#include "wine/wine_paths.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>

#include "core/error.hpp"

#ifndef VR_WIN_WORKER_BUILT
#define VR_WIN_WORKER_BUILT ""
#endif

namespace vr::wine {

namespace {

std::optional<std::string> on_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        if (dir.empty()) continue;
        std::string candidate = dir + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return std::nullopt;
}

}  // namespace

std::string wine_command() {
    static const std::optional<std::string> wine = on_path("wine");
    if (!wine) throw record_error("a Windows plugin needs wine: apt-get install wine wine64");
    return *wine;
}

const std::string& wine_version_text() {
    static const std::string version = [] {
        std::string command = "WINEDEBUG=-all '" + wine_command() + "' --version 2>/dev/null";
        std::string out;
        if (std::FILE* p = ::popen(command.c_str(), "r")) {
            char buf[256];
            while (std::fgets(buf, sizeof buf, p)) out += buf;
            ::pclose(p);
        }
        while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
        return out.empty() ? std::string("unknown") : out;
    }();
    return version;
}

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

std::vector<std::string> worker_environment(const std::string& prefix) {
    return {"WINEPREFIX=" + prefix, "WINEDEBUG=-all", "WINEDLLOVERRIDES=winedbg.exe=d"};
}

}  // namespace vr::wine
