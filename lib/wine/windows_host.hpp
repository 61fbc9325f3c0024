// SPDX-License-Identifier: GPL-3.0-or-later
// One Windows worker process (vr-win-worker.exe, tools/windows/) run under
// wine, and the pipe to it (host/instance_wire.hpp). Linux only.
#pragma once
#include <sys/types.h>

#include <cstdio>
#include <memory>
#include <string>

#include "core/records.hpp"

namespace vr::wine {

// One Windows worker process, under wine, for one prefix. Its instances
// share it; a crash ends it, and every instance it held with it.
class windows_host {
public:
    // Starts the worker in the prefix (WINEPREFIX, WINEDEBUG=-all,
    // WINEDLLOVERRIDES=winedbg.exe=d beside this process's environment);
    // throws record_error when wine or the worker is missing.
    explicit windows_host(const std::string& prefix);
    ~windows_host();
    windows_host(const windows_host&) = delete;
    windows_host& operator=(const windows_host&) = delete;

    // Sends a request and returns its answer's value. Throws record_error
    // with the host's message for a record error, and for a host that
    // crashed or ended (naming the exception and module, or its exit);
    // after either, the host is dead and every later call throws.
    json call(const json& request);
    bool alive() const { return pid_ > 0 && !dead_; }
    const std::string& prefix() const { return prefix_; }
    const std::string& wine_version() const;

private:
    [[noreturn]] void died(const std::string& why);
    std::string prefix_;
    pid_t pid_ = -1;
    std::FILE* to_ = nullptr;
    std::FILE* from_ = nullptr;
    bool dead_ = false;
    std::string death_;
};

// The host of a prefix that this process keeps for its instances (started
// on first use, started again after a crash).
std::shared_ptr<windows_host> shared_host(const std::string& prefix);

}  // namespace vr::wine
