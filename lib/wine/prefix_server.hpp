// SPDX-License-Identifier: GPL-3.0-or-later
// A wine prefix's wineserver kept up while render-ones use the prefix, so
// that a Windows worker starts in milliseconds rather than half a second,
// and stopped by the last of them when a render-one started it.
//
// The bookkeeping lives outside the prefix (render-one never changes a
// prefix), in a folder of ours, two files per prefix named by the prefix
// folder's device and inode ("<dev>-<ino>", hex, as wine names its server
// folder):
//   <key>.users  every prefix_server holds a shared flock on it for its life;
//                whoever gets it exclusively is the only one left
//   <key>.state  flocked exclusively while a prefix_server starts or stops
//                the server; holds the pid of the server a render-one
//                started ("" when none did)
//   <key>.session  the server whose session a render-one started, as its
//                pid and start time (written under the state lock)
// A server runs for a prefix when the lock file in wine's server folder for
// it is locked (fcntl): the same test `wineserver -k` makes, from which it
// also takes the pid. No process is found by name.
#pragma once
#include <sys/types.h>

#include <csignal>

#include <string>

#include "core/handles.hpp"
#include "wine/server_lookup.hpp"

namespace vr::wine {

// Where prefix_server keeps its lock files: /tmp/vst-render-wine-<uid>,
// the same whatever the environment says, so that every render-one of a
// user agrees.
std::string default_lock_folder();

// One per prefix per render-one process: on construction, takes the prefix's
// lock and starts its wineserver (`wineserver -p`) when none runs; on
// destruction, when it is the last holder and a render-one started the
// server, stops the server (SIGINT to the lock's owner as `wineserver -k`
// sends it, SIGKILL after 10 s) and returns once it is gone (its lock
// free, what `wineserver -w` waits for). A server that ran before any
// render-one is never stopped. Safe between processes starting and ending
// in any order; a render-one killed outright leaves its record, and the
// last one after it stops that server. Destroy it after the Windows workers
// of the prefix have ended: stopping the server ends every wine process of
// the prefix, a user's own wine programs there included.
class prefix_server {
public:
    // Throws record_error: prefix is not a wine prefix of this user's ("no
    // wine prefix at DIR: make one with WINEPREFIX=DIR wineboot"), wine is
    // not installed, the lock folder is unsafe (not a folder of ours, open
    // to others, a symlink), or the server did not start.
    explicit prefix_server(const std::string& prefix, const std::string& lock_folder = default_lock_folder());
    ~prefix_server();
    prefix_server(prefix_server&& other) noexcept;
    prefix_server& operator=(prefix_server&&) = delete;
    prefix_server(const prefix_server&) = delete;
    prefix_server& operator=(const prefix_server&) = delete;

    // Starts the server again if it has gone (someone stopped it, or the
    // server that ran before us was not persistent and ended): cheap when it
    // runs (a lock and a probe), so a caller may call it before each worker.
    void ensure_running();

    // When this is the prefix's only holder and a render-one started its
    // server: stops the server and starts it again, with the environment
    // worker_environment gives now (an Xvfb's DISPLAY: wine chooses a
    // session's display driver as the session starts), and returns true.
    // Else changes nothing and returns false: a server others use, or one
    // that ran before any render-one, is never stopped. Every wine process
    // of the prefix ends with the old server.
    bool restart_alone();

    // Whether restart_alone would restart the server now.
    bool alone();

    // The prefix's session (services.exe, winedevice.exe..., which the first
    // wine program of a server's life starts, and which keep the
    // descriptors that program was given) is started once per server by a
    // quiet program (keep_server_up). note_session says, in <key>.session,
    // that the server running now has one; session_noted whether that was
    // said of this very server (its pid and start time), so that a later
    // render-one skips the quiet program (0.16-0.2 s). A server started
    // outside render-one, or since, has no note.
    bool session_noted();
    void note_session();

    // Leaves now, as the destructor does; throws record_error when this was
    // the last holder and the server it had to stop did not end.
    void close();

    // For a forked child that inherited this object: lets go of its
    // descriptors without unlocking, stopping or even closing anything (the
    // parent's lock lives on in the parent's descriptors; a child that
    // closed its inherited descriptors may hold other files at those
    // numbers now), so that the child's end never takes itself for the
    // last holder.
    void forget() noexcept;

    // The prefix, absolute.
    const std::string& prefix() const noexcept { return prefix_; }
    // Whether this object started the server (and so a render-one did).
    bool started_server() const noexcept { return started_; }

private:
    void ensure_running_locked();
    bool alone_locked();
    void stop_server(pid_t pid);

    std::string prefix_;
    std::string wineserver_;
    unique_fd users_, state_, session_;
    bool started_ = false;
};

// Closes every prefix_server of this process still open (errors ignored):
// for an ending that skips destructors, such as render-one's death by the
// signal that interrupted it, so that the last render-one still stops the
// server it started. Not for a signal handler.
void close_all_prefix_servers() noexcept;

// How many prefix_servers of this process are open, where a signal handler
// may read it (supervise_options::interrupt_deferred_while).
const volatile sig_atomic_t* open_prefix_servers() noexcept;

}  // namespace vr::wine
