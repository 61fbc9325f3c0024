// SPDX-License-Identifier: GPL-3.0-or-later
// render-one's host: the worker a run renders with, made in whichever
// process renders (a worker process, or the host itself); and the warm
// render-one of --warm (warm/warm.hpp), which keeps the worker its
// warm-up made (the plugin loaded, warmed and probed) for the sessions it
// forks, each a whole render-one run for a caller.
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "jobs/options.hpp"
#include "supervise/batch.hpp"
#include "worker/render_worker.hpp"

namespace vr::host {

// Renders one checked job with the worker: failures become the record's
// error, and a plugin that crashed a child or the Windows worker is worth
// a retry.
worker_result render_with(render_worker& worker, const render_job& job, json&& record,
                          const rendering_callback& rendering);

// What the plugins see of the process: no display, and the HOME asked for.
void set_plugin_environment(const render_options& options);

// Runs use with this run's worker: a new one (JUCE's runtime with it), or
// in a warm render-one and its sessions the one its warm-up made.
int with_render_host(const render_options& options, const renderer_use& use);

// Whether this process is a session of a warm render-one.
bool in_warm_session() noexcept;

// A warm render-one's command ends with a marker and its socket: takes
// them off argv and returns the socket, or nullopt when argv is another.
std::optional<std::string> take_warm_command(int& argc, char** argv);

// The warm render-one: takes the key's lock (or leaves, when another holds
// it); renders one job of the caller's kind in this process, then puts a
// never-played instance back; serves sessions (run with each caller's
// arguments) until --warm's seconds pass with none. A warm-up that fails,
// or a plugin that runs threads of its own (which a forked session would
// lack), leaves a .failed file beside the socket saying so.
int serve_as_warm(int argc, char** argv, const std::string& socket, int (*run)(int, char**));

}  // namespace vr::host
