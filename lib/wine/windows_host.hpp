// SPDX-License-Identifier: GPL-3.0-or-later
// One Windows worker process (vr-win-worker.exe, tools/windows/) run under
// wine, and the pipe to it (host/instance_wire.hpp). Linux only.
#pragma once
#include <sys/types.h>

#include <cstdint>
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
    // WINEDLLOVERRIDES=winedbg.exe=d beside this process's environment) and
    // greets it without waiting: its answer is read by the first call, so a
    // worker can start while another renders. Throws record_error when wine
    // or the worker is missing.
    explicit windows_host(const std::string& prefix);
    ~windows_host();
    windows_host(const windows_host&) = delete;
    windows_host& operator=(const windows_host&) = delete;

    // Sends a request and returns its answer's value; the first request
    // after a reseed of the pinned randomness carries the job's seed.
    // Throws record_error with the host's message for a record error, and
    // for a host that crashed or ended (naming the exception and module, or
    // its exit); after either, the host is dead and every later call throws.
    json call(const json& request);
    bool alive() const { return pid_ > 0 && !dead_; }
    pid_t pid() const { return pid_; }
    const std::string& prefix() const { return prefix_; }
    const std::string& wine_version() const { return wine_version_; }
    // The Xvfb display it was started with (supervise/display.hpp), "" for none.
    const std::string& display() const { return display_; }

private:
    // Throws why as a host_died (core/error.hpp), with the signal that
    // killed the worker when one did.
    [[noreturn]] void died(const std::string& why, int signal = 0);
    void send(const json& request);
    json answer();
    std::string prefix_;
    pid_t pid_ = -1;
    std::FILE* to_ = nullptr;
    std::FILE* from_ = nullptr;
    bool dead_ = false;
    std::string death_;
    std::string wine_version_;
    std::uint64_t told_reseeds_ = 0;  // pinned::reseeds() when the seed was last sent
    bool greeting_ = false;           // the hello's answer is still to be read
    std::string display_;
};

// Keeps the prefix's wineserver up for the life of this process (started
// here when none runs: workers then start in milliseconds, not half a
// second); the last render-one of a prefix to end stops a server a
// render-one started (wine/prefix_server.hpp).
// say: one stderr line says which prefix and wine the run uses (and that
// wine updates a prefix another wine made), once per prefix.
void keep_server_up(const std::string& prefix, bool say = false);

// Whether this process is the only one keeping prefix's server up, a
// server a render-one started (prefix_server::alone).
bool prefix_session_alone(const std::string& prefix);

// Starts prefix's server and wine session again with the environment of
// now (an Xvfb's DISPLAY) when prefix_server::restart_alone allows, and
// returns true; the prefix's shared host ends with the old server.
bool restart_prefix_session(const std::string& prefix);

// The host of a prefix that this process keeps for its instances (started
// on first use, started again after a crash, and once more when an Xvfb
// has been started since: a new instance then gets the display).
std::shared_ptr<windows_host> shared_host(const std::string& prefix);

// The resident memory, in MB, of the shared and kept Windows workers this
// process has alive now (0 when none): a worker's memory, with its own,
// that --max-rss bounds.
double shared_hosts_rss_mb();

// A Windows worker of its own for one job (isolation process): the spare
// started for prefix during the job before, when it is still alive and has
// the display of now, else a new one; and a new spare is started for the
// next job, so that a worker's start-up overlaps a render instead of adding
// to it.
std::shared_ptr<windows_host> own_host(const std::string& prefix);

// A Windows worker of its own for prefix, started now, which its caller
// keeps for many jobs (isolation restore): no spare is started after it,
// and shared_hosts_rss_mb counts it while it lives.
std::shared_ptr<windows_host> kept_host(const std::string& prefix);

// At the end of a worker process, after its instances are gone: the shared
// Windows workers end, then each prefix's server if a render-one started it
// and this was the last render-one using it, then the Xvfb this process
// started, if any. A process that ends by _exit must call it: static
// destructors and exit handlers never run there.
void end_windows() noexcept;

}  // namespace vr::wine
