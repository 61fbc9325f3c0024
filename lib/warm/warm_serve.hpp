// SPDX-License-Identifier: GPL-3.0-or-later
// The warm process's side of warm/warm.hpp: it serves sessions at
// its socket, each a fork of itself with a caller's arguments,
// descriptors and folder, made ahead of its caller while none waits.
#pragma once
#include <cstddef>
#include <functional>
#include <string>

#include "warm/warm.hpp"

namespace vr {

// What a warm process runs for its callers.
struct warm_sessions {
    // The session: the caller's arguments, with its descriptors 0, 1, 2
    // and working folder in place; returns the exit code.
    std::function<int(int argc, char** argv)> run;
    // Runs in a session made ahead of its caller, before it waits for one
    // (a warm render-one makes its worker there). Sessions are made ahead
    // only when this is given.
    std::function<void()> prepare;
    // How many sessions wait made ahead. One that dies unused stops the
    // making ahead: every later session is forked for its caller.
    std::size_t ahead = 2;
};

// Serves sessions at socket until idle_s seconds pass with none running:
// each caller's arguments are run by a session made ahead while none
// came (or, when none waits, forked for it) with the caller's descriptors
// and working folder. A session tells its caller its pid as it starts and
// its exit code as its run ends; the warm process tells it how the
// session ended when it is gone (the caller reads the first word). Returns
// 0, or 3 when the socket cannot be made. The
// socket is removed at the end, when it is still this process's; sessions
// made ahead end with it.
int serve_warm(const std::string& socket, double idle_s, const warm_sessions& sessions);

}  // namespace vr
