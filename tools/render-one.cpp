// SPDX-License-Identifier: GPL-3.0-or-later
// render-one: hosts a VST2, VST3 or LV2 instrument headless and renders each
// job record (or one job given by flags) to an audio file.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <optional>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/records.hpp"
#include "core/tool.hpp"
#include "host/child.hpp"
#include "host/plugin_instance.hpp"
#include "host/render_worker.hpp"
#include "render/dataset_options.hpp"
#include "render/job.hpp"
#include "render/stale_temps.hpp"
#include "render/supervise.hpp"
#include "render/supervise_status.hpp"

namespace {

// Records go to a private copy of the original stdout; fd 1 then points at
// stderr, so a plugin's printf cannot break the record stream (rule 9).
int protect_stdout() {
    int records = ::fcntl(1, F_DUPFD_CLOEXEC, 3);
    if (records < 0 || ::dup2(2, 1) < 0)
        throw vr::fatal_error(std::string("cannot set up standard output: ") + std::strerror(errno));
    return records;
}

template <typename T>
T flag(const vr::cli& cli, const char* name, T min, T max) {
    T v = cli.get<T>(name);
    if (!(v >= min && v <= max))
        vr::cli::throw_usage(std::string("--") + name + " must be between " + std::to_string(min) + " and " +
                             std::to_string(max));
    return v;
}

// Every record printed for a job (a result, a skipped job, a record passed
// through) goes through here right before it is written: the one place for
// what concerns a finished job as a whole.
void finish_record(vr::json& record, vr::record_writer& out, vr::dataset_output& dataset) {
    dataset.finish(record);
    out.write(record);
}

// Renders one job record in this process: the worker's side of supervision,
// and all of --no-isolate. Failures become the record's error.
vr::worker_result render_here(vr::host::render_worker& worker, vr::json&& record,
                              const vr::render_defaults& defaults, const vr::plugin_map& plugins,
                              const vr::rendering_callback& rendering = {}) {
    vr::worker_result out;
    try {
        worker.run(vr::make_render_job(record, defaults, plugins), record, rendering);
    } catch (const vr::host::child_failed& e) {
        vr::set_error(record, e.what());
        if (auto sig = e.signal(); !sig.empty()) record["error"]["signal"] = sig;
        out.crashed = e.crashed();
    } catch (const vr::record_error& e) {
        vr::set_error(record, e.what());
    } catch (const std::filesystem::filesystem_error& e) {
        vr::set_error(record, e.what());
    }
    out.record = std::move(record);
    return out;
}

int run(int argc, char** argv) {
    vr::cli cli("[< jobs]", "Render each job record with an audio plugin; write the audio, print a result record.");
    cli.add()("p,plugin", "the plugin for every job (.so VST2, .vst3, .lv2 bundle or LV2 URI); KEY=PATH maps a "
                          "preset_format or preset_plugin_id to a plugin (repeatable)",
              cxxopts::value<std::vector<std::string>>(), "PATH")(
        "list-programs", "print one record per program of the --plugin, then exit")(
        "export-programs", "write each program of the --plugin as a preset file (.fxp or .vstpreset) into DIR, "
                           "one record per file, then exit", cxxopts::value<std::string>(), "DIR")(
        "export-params", "with --export-programs: write VST2 programs as parameter values (FxCk) even when "
                         "the plugin uses chunks")(
        "export-bank", "write all programs of the VST2 --plugin into one .fxb bank, then exit",
        cxxopts::value<std::string>(), "FILE")(
        "ignore-plugin-id", "load presets whose preset_plugin_id is not the plugin's")(
        "params", "add params: every parameter read back after loading (index, name, value, text)")(
        "save-state", "with -o: write the plugin's state after the preset and parameters were applied",
        cxxopts::value<std::string>(), "FILE")(
        "o,output", "render one job from the flags into this file and print its record", cxxopts::value<std::string>(),
        "FILE")("skip-existing", "skip jobs whose output file exists (status skipped)")(
        "plugin-home", "set HOME to this folder (created) for plugins that write there",
        cxxopts::value<std::string>(), "DIR");
    cli.add("Supervision")(
        "timeout", "fail a job not done after this many seconds (0: never; default: 30 + 10 x its audio length); "
                   "loading the plugin first has an allowance of its own", cxxopts::value<double>(), "S")(
        "job-timeout", "the old name of --timeout", cxxopts::value<double>(), "S")(
        "retries", "try a job whose plugin crashed again, in a fresh worker, up to N times",
        cxxopts::value<int>()->default_value("0"), "N")(
        "max-rss", "replace the worker between jobs once its memory (RSS) exceeds MB",
        cxxopts::value<double>()->default_value("0"), "MB")(
        "no-isolate", "render in this process, without a worker: a crash ends the run");
    cli.add("Defaults for fields a job lacks")(
        "note", "MIDI note (note)", cxxopts::value<int>()->default_value("60"), "N")(
        "velocity", "velocity 1-127 (velocity)", cxxopts::value<int>()->default_value("100"), "N")(
        "duration", "seconds the key is held (duration_s)", cxxopts::value<double>()->default_value("1"), "S")(
        "midi", "play this MIDI file instead of a note (midi_path)", cxxopts::value<std::string>(), "FILE")(
        "preset", "load this preset (.fxp .fxb .vstpreset .SerumPreset) before set_params (preset_path)",
        cxxopts::value<std::string>(), "FILE")(
        "state", "load this plugin state before the preset (state_path)", cxxopts::value<std::string>(), "FILE")(
        "midi-program-changes", "pass the MIDI file's program changes and bank selects on")(
        "sample-rate", "sample rate in Hz (sample_rate_hz)", cxxopts::value<int>()->default_value("48000"), "HZ")(
        "block-size", "frames per processing block (block_size)", cxxopts::value<int>()->default_value("512"), "N")(
        "channels", "1 or 2 output channels (channels)", cxxopts::value<int>()->default_value("2"), "N")(
        "sample-format", "pcm16, pcm24 or float32 (sample_format; default pcm24, float32 for .npy)",
        cxxopts::value<std::string>(), "FMT")(
        "silence-db", "peak below which a render counts as silent",
        cxxopts::value<double>()->default_value("-90"), "DB");
    vr::declare_dataset_options(cli);
    if (!cli.parse(argc, argv)) return 0;
    if (!cli.operands().empty()) vr::cli::throw_usage("render-one reads job records on standard input; it takes no operands");

    vr::plugin_map plugins;
    if (cli.has("plugin"))
        for (const auto& p : cli.get<std::vector<std::string>>("plugin")) plugins.add(p);
    vr::render_defaults defaults;
    defaults.note = flag(cli, "note", 0, 127);
    defaults.velocity = flag(cli, "velocity", 1, 127);
    defaults.duration_s = flag(cli, "duration", 0.0, vr::max_seconds);
    auto dataset = vr::read_dataset_options(cli, defaults);
    if (cli.has("midi")) defaults.midi_path = cli.get<std::string>("midi");
    if (cli.has("preset")) defaults.preset_path = cli.get<std::string>("preset");
    if (cli.has("state")) defaults.state_path = cli.get<std::string>("state");
    defaults.sample_rate = flag(cli, "sample-rate", vr::min_sample_rate, vr::max_sample_rate);
    defaults.block_size = flag(cli, "block-size", 16, vr::max_block_size);
    defaults.channels = flag(cli, "channels", 1, 2);
    if (cli.has("sample-format")) {
        try {
            defaults.format = vr::parse_sample_format(cli.get<std::string>("sample-format"));
        } catch (const vr::record_error& e) {
            vr::cli::throw_usage(std::string("--sample-format: ") + e.what());
        }
    }
    vr::host::worker_options options;
    options.silence_db = flag(cli, "silence-db", -400.0, 0.0);
    options.midi_program_changes = cli.has("midi-program-changes");
    vr::supervise_options supervision;
    if (cli.has("timeout") && cli.has("job-timeout")) vr::cli::throw_usage("--job-timeout is --timeout: give one");
    if (cli.has("timeout")) supervision.timeout_s = flag(cli, "timeout", 0.0, 1e6);
    if (cli.has("job-timeout")) supervision.timeout_s = flag(cli, "job-timeout", 0.0, 1e6);
    supervision.retries = flag(cli, "retries", 0, 100);
    supervision.max_rss_mb = flag(cli, "max-rss", 0.0, 1e7);
    const bool isolate = !cli.has("no-isolate");
    // In-process, only jobs rendered in a forked child can be stopped.
    if (!isolate) options.job_timeout_s = std::max(0.0, supervision.timeout_s);
    options.ignore_plugin_id = cli.has("ignore-plugin-id");
    options.report_params = cli.has("params") || dataset->wants_params();
    const bool list = cli.has("list-programs");
    const bool single = cli.has("output");
    const bool skip_existing = cli.has("skip-existing");
    const bool export_programs = cli.has("export-programs"), export_bank = cli.has("export-bank");
    if (int(list) + int(export_programs) + int(export_bank) > 1)
        vr::cli::throw_usage("--list-programs, --export-programs and --export-bank go one at a time");
    if ((list || export_programs || export_bank) && (single || !cli.has("plugin")))
        vr::cli::throw_usage("--list-programs, --export-programs and --export-bank need --plugin PATH and no --output");
    if (cli.has("save-state")) {
        if (!single) vr::cli::throw_usage("--save-state goes with -o (one job)");
        options.save_state_path = vr::absolute_path(cli.get<std::string>("save-state"));
    }

    vr::record_writer out(protect_stdout());
    if (!std::getenv("QT_QPA_PLATFORM")) ::setenv("QT_QPA_PLATFORM", "offscreen", 1);
    if (cli.has("plugin-home")) {
        auto home = vr::absolute_path(cli.get<std::string>("plugin-home"));
        vr::make_dirs(home);
        ::setenv("HOME", home.c_str(), 1);
    }

    if (list || export_programs || export_bank) {
        vr::host::juce_runtime juce;
        vr::host::render_worker worker(options);
        auto ref = plugins.plugin_for(vr::json::object());
        auto emit = [&](vr::json&& r) { out.write(r); };
        try {
            if (list)
                worker.list_programs(ref, defaults.sample_rate, defaults.block_size, emit);
            else if (export_programs)
                worker.export_programs(ref, defaults.sample_rate, defaults.block_size,
                                       vr::absolute_path(cli.get<std::string>("export-programs")),
                                       cli.has("export-params"), emit);
            else
                worker.export_bank(ref, defaults.sample_rate, defaults.block_size,
                                   vr::absolute_path(cli.get<std::string>("export-bank")), emit);
        } catch (const vr::record_error& e) {
            vr::json r{{"plugin_path", ref.location}};
            vr::set_error(r, e.what());
            out.write(r);
        }
        return out.exit_code();
    }

    // Isolated, this process never initialises JUCE: each worker does, in
    // its own process (lib/render/supervise.hpp says why a fork).
    std::optional<vr::host::juce_runtime> juce;
    std::optional<vr::host::render_worker> in_process;
    std::optional<vr::supervisor> workers;
    if (isolate) {
        workers.emplace(supervision, [&](int fd) {
            vr::host::juce_runtime worker_juce;
            vr::host::render_worker worker(options);
            return vr::serve_jobs(fd, [&](vr::json&& r, const vr::rendering_callback& rendering) {
                return render_here(worker, std::move(r), defaults, plugins, rendering);
            });
        });
    } else {
        juce.emplace();
        in_process.emplace(options);
    }
    vr::stale_temps temps;

    auto render = [&](vr::json&& record, vr::record_writer& w) {
        vr::json result;
        if (vr::is_error(record) || vr::is_skipped(record)) {
            result = std::move(record);
        } else {
            try {
                auto job = vr::make_render_job(record, defaults, plugins);
                temps.sweep_folder_of(job.output_path);
                if (skip_existing && std::filesystem::exists(job.output_path)) {
                    result = std::move(record);
                    result["status"] = "skipped";
                } else if (workers) {
                    // Jobs of one plugin at one rate and block size share its instance in the worker.
                    result = workers->run({record, job.output_path,
                                           job.plugin.location + "@" + std::to_string(job.sample_rate) + "/" +
                                               std::to_string(job.block_size)});
                } else {
                    result = render_here(*in_process, std::move(record), defaults, plugins).record;
                    result["worker_rss_mb"] = vr::rss_mb();
                    result["attempts"] = 1;
                }
            } catch (const vr::record_error& e) {
                result = std::move(record);
                vr::set_error(result, e.what());
            } catch (const std::filesystem::filesystem_error& e) {
                result = std::move(record);
                vr::set_error(result, e.what());
            }
        }
        finish_record(result, w, *dataset);
    };

    if (single) {
        vr::json record{{"output_path", vr::absolute_path(cli.get<std::string>("output"))}};
        if (defaults.midi_path) record["midi_path"] = vr::absolute_path(*defaults.midi_path);
        render(std::move(record), out);
        return out.exit_code();
    }
    // Records passed through go by finish_record too.
    vr::record_loop_options loop;
    loop.pass_errors = loop.pass_skipped = false;
    return vr::for_each_record(0, out, render, loop);
}

}  // namespace

int main(int argc, char** argv) { return vr::run_tool("render-one", argc, argv, run); }
