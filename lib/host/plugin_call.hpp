// SPDX-License-Identifier: GPL-3.0-or-later
// Every call the worker makes into a plugin instance goes through
// call_plugin, on the instance's own plugin_context: its factory and
// constructor, state load and read-back, program change, parameter set,
// prepareToPlay, reset and every process call. What the plugin sees of the
// process during such a call is then the instance's, not the process's:
// its monotonic clocks read the instance's virtual clock (core/
// plugin_clock.hpp), on this thread only. Nothing else of the worker's
// changes, and the plugin's own threads keep the real clock.
#pragma once
#include <utility>

#include "core/plugin_clock.hpp"

namespace vr::host {

// What belongs to one instance for the calls into it.
struct plugin_context {
    explicit plugin_context(int sample_rate) : clock(sample_rate) {}
    plugin_clock clock;
};

// Runs f() (the call into the plugin) inside the instance's context and
// returns what it returns.
template <typename F>
decltype(auto) call_plugin(plugin_context& context, F&& f) {
    inside_plugin inside(context.clock);
    return std::forward<F>(f)();
}

}  // namespace vr::host
