// SPDX-License-Identifier: GPL-3.0-or-later
// render-one's jobs: each record checked once, skipped, or rendered by a
// supervised worker process (or in place with --no-isolate), and every record
// printed for a job finished the same way (sidecar, progress). The side that
// hosts the plugin needs JUCE, so the tool passes it in.
#pragma once
#include <functional>

#include "core/records.hpp"
#include "jobs/job.hpp"
#include "jobs/options.hpp"
#include "supervise/supervise.hpp"

namespace vr {

// Renders one checked job in the calling process and returns its result
// record; a failure is the record's error, never an exception.
using job_renderer = std::function<worker_result(const render_job& job, json&& record,
                                                 const rendering_callback& rendering)>;

// Sets up the plugin host in the process that will render (once in each
// worker process; once in this one with --no-isolate), calls use with a
// renderer and its pictures drawn after their jobs are answered
// (supervise_worker.hpp), and returns what use returns.
using renderer_use = std::function<int(const job_renderer& render, later_pictures& pictures)>;
using renderer_host = std::function<int(const renderer_use& use)>;

// Renders the job records on standard input (render_mode::batch) or the one
// job of the flags (render_mode::single), writing one record per job to out.
// Returns out's exit code.
int render_jobs(const render_options& options, const renderer_host& host, record_writer& out);

// Serves jobs from a supervisor on fd as a worker: sets up the host, then
// answers job lines until the supervisor closes fd. Returns the worker's
// exit status. render_jobs' workers run it, and so does a sandboxed worker
// (supervise/sandbox.hpp), started anew.
int serve_worker(const renderer_host& host, int fd);

}  // namespace vr
