// SPDX-License-Identifier: GPL-3.0-or-later
// plugin-scan: finds VST2, VST3 and LV2 plugins in the standard locations,
// a wine prefix's or the folders given (Windows builds too), and writes one
// record per plugin, each loaded in a supervised worker (a crash or hang
// costs only its record; a Windows plugin in a Windows worker under wine)
// unless --no-load. Discovery and the files' own word are
// lib/plugins/plugin_scan; loading is lib/worker/plugin_describe.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/process.hpp"
#include "core/records.hpp"
#include "core/tool.hpp"
#include "host/plugin_instance.hpp"
#include "linux/child.hpp"
#include "plugins/plugin_scan.hpp"
#include "plugins/plugin_scan_walk.hpp"
#include "plugins/wine_prefix.hpp"
#include "supervise/supervise.hpp"
#include "wine/prefix_server.hpp"
#include "wine/windows_host.hpp"
#include "wine/windows_instance.hpp"
#include "worker/plugin_describe.hpp"

namespace {

// The worker's side: each job's plugin described, a failure made its error.
// A child that died loading the plugin says so: the supervisor may load it
// again with a display (supervise/display.hpp).
vr::worker_result describe(const vr::json& job, vr::json&& record, double timeout_s) {
    bool load_died = false;
    try {
        record["loaded"] = vr::host::describe_plugins(vr::scan_job_from_json(job), timeout_s);
    } catch (const vr::host::child_failed& e) {
        vr::set_error(record, e.what());
        if (auto sig = e.signal(); !sig.empty()) record["error"]["signal"] = sig;
        load_died = e.crashed();
    } catch (const vr::record_error& e) {
        vr::set_error(record, e.what());
    }
    return {std::move(record), false, load_died};
}

// The prefix --wine-prefix names, absolute; "" when not given. One that is
// no prefix is a usage error, in render-one's words.
std::string given_prefix(const vr::cli& cli) {
    if (!cli.has("wine-prefix")) return "";
    const std::string dir = cli.get<std::string>("wine-prefix");
    if (dir.empty()) vr::cli::throw_usage("--wine-prefix: empty folder name");
    const std::string prefix = vr::absolute_path(dir);
    try {
        vr::check_wine_prefix(prefix);
    } catch (const vr::record_error& e) {
        vr::cli::throw_usage(e.what());
    }
    return prefix;
}

int run(int argc, char** argv) {
    vr::cli cli("[DIR...]", "Find VST2, VST3 and LV2 plugins (Linux and Windows builds) and write one record per plugin.");
    cli.add()("no-load", "read only what the plugins' files say: no plugin is loaded")(
        "params", "add params, every parameter with its value, text, default and whether it is automatable")(
        "timeout", "seconds a plugin may take to load (0: no limit)", cxxopts::value<double>()->default_value("30"),
        "S")("wine-prefix",
             "the wine prefix Windows plugins load in, unless one lies in a prefix's drive_c (default: WINEPREFIX, "
             "else ~/.wine); without DIRs, scan its standard plugin folders",
             cxxopts::value<std::string>(), "DIR");
    if (!cli.parse(argc, argv)) return 0;
    const bool load = !cli.has("no-load");
    const double timeout_s = cli.get_in_range<double>("timeout", 0, 86400);
    vr::scan_settings settings;
    settings.params = cli.has("params");
    if (settings.params && !load) vr::cli::throw_usage("--params needs the plugins loaded: it cannot go with --no-load");
    settings.wine_prefix = given_prefix(cli);
    auto env = [](const char* name) { return std::string(std::getenv(name) ? std::getenv(name) : ""); };
    settings.env = {env("WINEPREFIX"), env("HOME")};

    std::vector<vr::scan_root> roots;
    for (const auto& dir : cli.operands()) roots.push_back({dir, std::nullopt, false});
    if (roots.empty())
        roots = settings.wine_prefix.empty() ? vr::standard_scan_roots() : vr::wine_scan_roots(settings.wine_prefix);

    vr::record_writer out(vr::protect_stdout());
    if (!load) return vr::scan_plugins(roots, nullptr, settings, out);

    if (!std::getenv("QT_QPA_PLATFORM")) ::setenv("QT_QPA_PLATFORM", "offscreen", 1);
    // Made before the workers, so that it runs after they are gone: the
    // prefix servers this process kept up are stopped when it was the last
    // user (wine/prefix_server.hpp).
    struct windows_end {
        ~windows_end() { vr::wine::end_windows(); }
    } after_workers;
    // Each plugin loads in a child of the worker, which keeps to timeout_s;
    // the supervisor's own limit is the net under the worker itself.
    vr::supervise_options supervision;
    supervision.timeout_s = timeout_s == 0 ? 0 : timeout_s + 30;
    // Interrupted while a plugin loads, it still stops the prefix servers
    // it started (when no render-one holds them), as its end would.
    supervision.on_interrupt = [] { vr::wine::close_all_prefix_servers(); };
    // So it does when interrupted between plugins while it holds one: the
    // walk ends before its next folder or record (else it dies at once).
    supervision.interrupt_deferred_while = vr::wine::open_prefix_servers();
    vr::supervisor workers(supervision, [&](int fd) {
        vr::host::juce_runtime juce;
        return vr::serve_jobs(fd, [&](const vr::json& job, vr::json&& record, const vr::rendering_callback&) {
            return describe(job, std::move(record), timeout_s);
        });
    });
    const vr::plugin_loader loader = [&](vr::json&& record, const vr::scan_job& job) {
        // A Windows plugin's prefix server is kept up from here, as
        // render-one does: a worker killed at --timeout leaves none behind.
        if (job.windows) try {
                vr::wine::keep_server_up(vr::wine::prefix_of({job.path, job.format, {}, true, job.wine_prefix}), true);
            } catch (const vr::record_error&) {
                // The worker says why, in the plugin's record.
            }
        // No output file: the path names none a dead worker could leave temporaries of.
        vr::supervised_job sent{record, vr::to_json(job), "/dev/null/plugin-scan", {"plugin-scan", 0, 0}};
        sent.display_may_help = !job.windows;  // a Linux plugin that ends its process without a display
        sent.display_plugin = job.path;
        vr::json answer = workers.run(sent);
        return vr::merge_loaded(std::move(answer));
    };
    settings.between = [&] { workers.end_if_interrupted(); };
    return vr::scan_plugins(roots, &loader, settings, out);
}

}  // namespace

int main(int argc, char** argv) { return vr::run_tool("plugin-scan", argc, argv, run); }
