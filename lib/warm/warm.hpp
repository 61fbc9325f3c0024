// SPDX-License-Identifier: GPL-3.0-or-later
// A warm process (render-one --warm): a render-one that stays up after a
// run, with its plugin loaded, warmed and probed, and runs each later
// render-one of the same kind as a session forked from itself, so that a
// make target or a one-off pays for neither the plugin's start nor its
// warm-up. A session is a whole render-one run (options, supervisor,
// worker, records) with the caller's standard descriptors, working folder
// and arguments; the caller waits for it and ends as it ended.
//
// The caller and the warm process meet at a socket named by a key: a hash
// of the binary's identity, the user, the umask, the whole environment and
// what the caller adds (the options its worker is made with), so a session
// runs where a fresh render-one would run the same. Socket and lock live in
// $XDG_RUNTIME_DIR/vst-render, else /tmp/vst-render-UID, a folder that must
// be this user's alone (0700).
#pragma once
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/handles.hpp"
#include "jobs/options.hpp"

namespace vr {

// A warm render-one's command: the host's, then the caller's arguments,
// this marker and the socket.
inline constexpr const char* warm_marker = "\x01vr-warm-render-one";

// --warm, the caller's side: runs this render-one (argv) as a session of
// the warm render-one for its plugin, options and environment when one is
// up, and returns the session's exit code (or dies of its signal). Else,
// or when none can serve this run (not one Linux plugin given by -p, a
// sandbox, no worker, a listing or export, a Slurm job's step, a folder
// for warm render-ones that is not this user's alone), returns nullopt to
// render without; a warm render-one is started from host (render-one's
// host binary) for the next run when none is up, starting or known to
// fail for its key.
std::optional<int> run_in_warm(const render_options& options, int argc, char** argv, const std::string& host);

// The folder for warm processes, made when missing; throws record_error
// saying why when it is not a folder of this user's alone.
std::string warm_folder();

// The key of a warm process for this binary, user, umask and environment,
// and extra.
std::string warm_key(const std::string& extra);

// How a session ended.
struct warm_ending {
    int code = 0;    // its exit code, when no signal ended it
    int signal = 0;  // the signal that ended it, or 0
};

// Runs argv as a session of the warm process at socket, with this
// process's descriptors 0, 1 and 2 and working folder, and returns how it
// ended; SIGINT and SIGTERM that reach this process meanwhile are passed
// on to the session. nullopt when no warm process took it (none runs, or
// it ended before starting the session): the caller runs it itself.
// Throws record_error when the warm process ended during the session.
std::optional<warm_ending> run_warm(const std::string& socket, int argc, char** argv);

// The warm process's lock, held for its life: only one per key.
class warm_lock {
public:
    // Takes the lock at path; held() says whether it did (another warm
    // process holds it, or it cannot be made).
    explicit warm_lock(const std::string& path);
    bool held() const noexcept { return fd_.get() >= 0; }

private:
    unique_fd fd_;
};

// A warm process's message: a caller's arguments and descriptors, as a
// caller sends them to the warm process and the warm process hands them on
// to a session made ahead. False when it could not be sent.
bool send_warm_request(int socket, const std::vector<std::string>& args, std::span<const int> fds);

// Takes one such message with fds.size() descriptors (close-on-exec), put
// in fds: the arguments, or none when the peer closed, sent another thing
// or other descriptors (none are kept then).
std::vector<std::string> take_warm_request(int socket, std::span<int> fds);

// Starts command detached from this process (its own session, /dev/null
// for its standard descriptors, none of ours else, every signal at its
// default and none blocked), not waited for.
void spawn_detached(const std::vector<std::string>& command);

}  // namespace vr
