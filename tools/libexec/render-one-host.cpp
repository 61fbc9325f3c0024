// SPDX-License-Identifier: GPL-3.0-or-later
// render-one's host, run by render-one (tools/render-one.cpp) with the
// same arguments when no warm render-one takes the run: hosts VST2, VST3
// or LV2 instruments and effects headless (a plugin or a chain of them)
// and renders each job record (or one job given by flags) to an audio
// file. Its options are declared and read in lib/jobs/options.cpp, in the
// order of render-one(1); the batch is lib/supervise/batch.cpp; this file
// joins them to the host. It is also a warm render-one (its command ends
// with the warm marker) and a sandboxed worker (with the sandbox's).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/process.hpp"
#include "core/records.hpp"
#include "core/tool.hpp"
#include "host/plugin_instance.hpp"
#include "jobs/options.hpp"
#include "plugins/plugin_file.hpp"
#include "supervise/batch.hpp"
#include "supervise/display_retry.hpp"
#include "supervise/sandbox.hpp"
#include "supervise/supervise_status.hpp"
#include "wine/windows_host.hpp"
#include "wine/prefix_server.hpp"
#include "wine/windows_instance.hpp"
#include "wine/wine_paths.hpp"
#include "wine/wine_session.hpp"
#include "worker/preset_export.hpp"
#include "worker/probe_explain.hpp"
#include "worker/render_host.hpp"
#include "worker/render_worker.hpp"

namespace {

// --list-programs, --export-programs, --export-bank: one plugin's programs.
int programs(const vr::render_options& options, vr::record_writer& out) {
    struct windows_end {
        ~windows_end() { vr::wine::end_windows(); }
    } after_juce;  // made first, so it runs last
    vr::host::juce_runtime juce;
    vr::host::render_worker worker(options.worker);  // randomness pinned, Faust's options set
    auto ref = options.plugins.plugin_for(vr::json::object());
    // A Windows plugin's worker starts in --wine-prefix, as a job's does.
    if (ref.windows && options.defaults.wine_prefix) ref.wine_prefix = vr::absolute_path(*options.defaults.wine_prefix);
    const int rate = options.defaults.sample_rate, block = options.defaults.block_size;
    auto emit = [&](vr::json&& r) { out.write(r); };
    try {
        if (options.mode == vr::render_mode::list_programs)
            vr::host::list_plugin_programs(ref, rate, block, emit);
        else if (options.mode == vr::render_mode::explain_probe)
            vr::host::explain_plugin_probe(ref, rate, block, options.defaults.sidechain_path.has_value(), emit);
        else if (options.mode == vr::render_mode::export_programs)
            vr::host::export_plugin_programs(ref, rate, block, options.export_path, options.export_params, emit);
        else
            vr::host::export_plugin_bank(ref, rate, block, options.export_path, emit);
    } catch (const vr::record_error& e) {
        vr::json r{{"plugin_path", ref.location}};
        vr::set_error(r, e.what());
        out.write(r);
    }
    return out.exit_code();
}

// programs, where a plugin that ends its process as it loads with no
// display (JUCE 5's VST2 builds) would end render-one's: with DISPLAY
// unset they are listed in a child first, and again on render-one's Xvfb
// if the plugin ended it (render-one(1), "Plugins that need a display").
int programs_on_display(const vr::render_options& options, vr::record_writer& out) {
    return vr::run_needing_display([&] { return programs(options, out); },
                                   options.plugins.plugin_for(vr::json::object()).location, out);
}

// --link: LINK pointed at --job's output file, when it is there (the run
// ended with exit status 0: rendered, or skipped as existing).
void link_output(const vr::render_options& options) {
    const vr::json job = vr::json::parse(*options.job_line, nullptr, false);
    if (!job.is_object() || !job.contains("output_path") || !job["output_path"].is_string()) return;
    const std::string output = vr::absolute_path(job["output_path"].get<std::string>());
    if (::access(output.c_str(), F_OK) == 0) vr::point_link_at(options.link_path, output);
}

int run(int argc, char** argv) {
    // Started by bwrap for a supervisor that sandboxes its worker: serve it on fd 3.
    const bool sandboxed_worker = vr::take_sandbox_worker_marker(argc, argv);
    vr::cli cli("[< jobs]", vr::render_one_summary);
    vr::declare_render_options(cli);
    if (!cli.parse(argc, argv)) return 0;
    vr::render_options options = vr::read_render_options(cli);
    // This process keeps each Windows plugin's prefix server up while it
    // runs, and the last render-one of a prefix stops it at the end. A
    // sandboxed job's wine runs a server of the sandbox's own, which never
    // reaches this one: none is started for it here.
    options.before_render = [](const vr::render_job& job) {
        for (const auto& s : job.stages) {
            if (!s.plugin.windows) continue;
            try {
                if (job.sandbox)
                    vr::wine::say_prefix(vr::wine::prefix_of(s.plugin), true);
                else
                    vr::wine::keep_server_up(vr::wine::prefix_of(s.plugin), true);
            } catch (const vr::record_error&) {
                // The job's worker says why, in its record.
            }
        }
    };
    // A Windows plugin's verdicts are kept with its prefix, wine and Windows
    // worker in their key.
    options.windows_verdict_identity = vr::wine::verdict_identity;
    // Interrupted with a job in flight, it still stops the servers it
    // started (when no other render-one holds them), as its end would.
    options.supervision.on_interrupt = [] { vr::wine::close_all_prefix_servers(); };
    // So it does when interrupted between jobs (waiting for the next line)
    // while it holds one; else it dies at once.
    options.supervision.interrupt_deferred_while = vr::wine::open_prefix_servers();
    // A sandboxed Windows plugin's worker reads the Windows worker, which
    // may lie in a tree the sandbox hides (a build under /home).
    try {
        const std::string exe = vr::absolute_path(vr::wine::windows_worker_path());
        options.supervision.sandbox.windows_readable.push_back(std::filesystem::path(exe).parent_path().string());
    } catch (const vr::record_error&) {
        // None built or installed: a Windows plugin's job says so.
    }
    struct windows_end {
        ~windows_end() { vr::wine::end_windows(); }
    } after_jobs;

    // (--warm: render-one found no warm render-one to run this.)
    options.warm_session = vr::host::in_warm_session();
    // A session tells its caller how the run ended before its worker is
    // taken down (it reaps it after).
    options.supervision.leave_worker_at_end = options.warm_session;

    if (options.job_line) vr::stdin_from_text(*options.job_line + "\n");
    vr::record_writer out(options.records_path.empty() ? vr::protect_stdout()
                                                       : vr::protect_stdout_records_to(options.records_path));
    vr::host::set_plugin_environment(options);
    if (options.mode != vr::render_mode::batch && options.mode != vr::render_mode::single)
        return programs_on_display(options, out);

    auto host = [&](const vr::renderer_use& use) {
        return vr::host::with_render_host(options, use);
    };
    if (sandboxed_worker) return vr::serve_worker(host, 3);
    // Never unsandboxed instead: no sandbox here ends the run (exit 3).
    if (options.defaults.sandbox) vr::require_sandbox();
    const int code = vr::render_jobs(options, host, out);
    if (code == 0 && !options.link_path.empty()) link_output(options);
    return code;
}

}  // namespace

int main(int argc, char** argv) {
    // A warm render-one (render-one --warm), started by a render-one.
    static std::optional<std::string> warm_socket;
    warm_socket = vr::host::take_warm_command(argc, argv);
    if (warm_socket)
        return vr::run_tool("render-one", argc, argv, [](int n, char** args) {
            return vr::host::serve_as_warm(n, args, *warm_socket, run);
        });
    return vr::run_tool("render-one", argc, argv, run);
}
