// SPDX-License-Identifier: GPL-3.0-or-later
// The Linux side of a Windows plugin: wine found once per process, the
// environment a Windows worker runs in, whether a prefix will be updated,
// and wine's commands run so that nothing they print reaches our stdout.
// Linux only, no JUCE. The prefix's server is prefix_server.hpp's, the
// Xvfb display.hpp's.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace vr::wine {

// What the installed wine is: its commands and its version.
struct wine_install {
    std::string wine;        // the `wine` command found on PATH (absolute)
    std::string wineserver;  // the `wineserver` command found on PATH (absolute)
    std::string version;     // as `wine --version` prints it: "wine-8.0 (Debian 8.0~repack-4)"
    std::string wine_inf;    // the wine.inf a prefix is updated from; "" when not found
};

// Wine on PATH (`wine` and `wineserver`) and its version, looked for once per
// process and remembered; nullopt when either command is missing or
// `wine --version` fails (the caller's message: "a Windows plugin needs
// wine: apt-get install wine wine64").
std::optional<wine_install> find_wine();

// The environment a Windows worker gets for prefix: this process's own,
// plus WINEPREFIX (made absolute), WINEDEBUG=-all,
// WINEDLLOVERRIDES=winedbg.exe=d (after the user's own overrides, so that
// ours wins: wine's debugger never writes into the worker's pipe), and
// DISPLAY when virtual_display() started an Xvfb. Each item is "NAME=value".
std::vector<std::string> worker_environment(const std::string& prefix);

// From now on, the Windows workers this process starts make their windows
// on a wine desktop of their display's own (VR_WINE_DESKTOP:
// windows/editor_windows.hpp), not the prefix's Default one, whose display
// driver is the first user's: one that started with no display has none.
// For jobs that show an editor; nothing when DISPLAY is unset.
void use_own_wine_desktop();

// env as execve wants it: pointers into env's strings, then a null. Valid
// while env lives unchanged.
std::vector<char*> as_envp(std::vector<std::string>& env);

// The first line of prefix's .update-timestamp (the wine.inf time of the
// wine that last updated it, or "disable"); none when it cannot be read,
// with *missing (when given) saying whether it is not there at all.
std::optional<std::string> prefix_update_stamp(const std::string& prefix, bool* missing = nullptr);

// Whether wine will update prefix when it next starts there (a prefix made
// or last updated by another wine): its .update-timestamp is missing or
// differs from the mtime of the installed wine.inf, which is how wineboot
// decides. False when the timestamp says "disable", when wine is not
// installed, or when its wine.inf cannot be found.
bool prefix_needs_update(const std::string& prefix);

// Says on stderr, once per prefix and process, which prefix and wine
// Windows plugins run in, and when wine updates a prefix another wine made
// or last updated. read_only: the prefix is bound read-only in a sandbox,
// where wine makes the update in memory each time a sandbox's server
// starts, and saves nothing.
void say_prefix(const std::string& prefix, bool read_only);

// How a quiet run ended.
struct run_result {
    int exit_code = -1;      // its exit status; -1 when a signal ended it
    bool timed_out = false;  // killed by us after the time limit
    std::string out;         // its standard output, when asked for
};

// Runs argv (argv[0] an absolute path) with env as its whole environment,
// stdin and stderr on /dev/null, stdout captured when capture is set (up to
// 64 KiB) or else on /dev/null, no other descriptor of ours inherited (a
// daemon it leaves, such as wineserver -p, holds none of our pipes or
// locks). Waits up to timeout_s, then kills it. Throws record_error when it
// cannot be started.
run_result run_quiet(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                     double timeout_s, bool capture = false);

}  // namespace vr::wine
