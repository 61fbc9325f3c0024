// SPDX-License-Identifier: GPL-3.0-or-later
// render-one's command line, declared and read in one place, in the order of
// render-one(1): what to do, which plugin, supervision, the defaults of job
// fields, the length and shape of each render. Reading it gives the job
// defaults and the options of the worker and of the supervisor.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/tool.hpp"
#include "jobs/job.hpp"
#include "jobs/supervision.hpp"

namespace vr {

// render-one's one line, for its --help (the command and its host).
inline constexpr const char* render_one_summary =
    "Render each job record with an audio plugin; write the audio, print a result record.";

// What the process that hosts the plugin needs to know beyond each job.
struct worker_options {
    bool midi_program_changes = false;
    // Seconds a job rendered in a child may take before it is killed (0: no
    // limit). Jobs rendered in place cannot be stopped.
    double job_timeout_s = 0;
    // Load presets whose preset_plugin_id does not match the plugin.
    bool ignore_plugin_id = false;
    // Add `params`, every parameter read back after loading, to each result.
    bool report_params = false;
    // Where to write the plugin's state after the preset and parameters
    // were applied (single-job mode), or "".
    std::string save_state_path;
    // Where to write the plugin's program as a preset of its format (.fxp,
    // .vstpreset) at the same moment (single-job mode), or "".
    std::string save_preset_path;
    // --edit: the job's editor is shown on the user's display once its
    // preset, state and parameters are set, and waited for until closed;
    // the files above are written then, and the render starts.
    bool edit = false;
    // The run renders one job (-o): a process that has rendered nothing is
    // pristine, so the job gets the worker's first instance, no probe.
    bool one_job = false;
    // Leave libc's randomness and wall clock to libc (--real-randomness).
    bool real_randomness = false;
    // Render each plugin's probe in a freshly started process too, and say
    // in its records whether the two agreed (--check-reproducible).
    bool check_reproducible = false;
    // Faust programs: voices for every program (--faust-voices), the
    // address space a compile may add (--faust-max-mb), import folders.
    std::optional<int> faust_voices;
    int faust_max_mb = 2048;
    std::vector<std::string> faust_libs;
};

// What one run of render-one does.
enum class render_mode {
    batch,            // a job per record on standard input
    single,           // one job from the flags (-o)
    list_programs,    // a record per program of the plugin
    export_programs,  // a preset file per program
    export_bank,      // one .fxb of every program
    explain_probe,    // a record per way the plugin's probe tried, then its verdict
};

struct render_options {
    // Called in render-one's own process for each job about to render, by
    // the tool: render-one keeps the prefix servers of Windows plugins up
    // from there, so that they outlive a worker killed at --timeout.
    std::function<void(const render_job&)> before_render;
    // What a Windows plugin's probe verdict depends on beyond the plugin
    // (its prefix, wine, the Windows worker), for the probe cache's key; set
    // by the tool (wine::verdict_identity). Unset, or none for a plugin: its
    // verdicts are not kept.
    std::function<std::optional<json>(const plugin_ref&)> windows_verdict_identity;
    render_mode mode = render_mode::batch;
    plugin_map plugins;
    render_defaults defaults;
    worker_options worker;
    supervise_options supervision;
    bool isolate = true;        // jobs rendered by a worker process (not --no-isolate)
    double warm_s = 0;          // --warm: how long a warm render-one waits for the next (warm/warm.hpp)
    bool warm_session = false;  // this run is a session of a warm render-one: its records say so
    bool probe_cache = true;    // probe verdicts kept on disk (not --no-cache): supervise/probe_cache.hpp
    bool skip_existing = false;
    bool sidecar = false;       // write OUTPUT.json beside each ok output
    std::string output_path;    // single: absolute
    // --job: a batch of this one job, read in place of standard input.
    std::optional<std::string> job_line;
    std::string records_path;  // --records: the records go to this file (absolute), not standard output
    std::string link_path;     // --link: pointed at --job's output file once it is there (absolute)
    std::string export_path;    // export_programs: the folder; export_bank: the file (absolute)
    bool export_params = false;
    std::optional<std::string> plugin_home;  // absolute
    // The flags given on the command line that set a job field's default,
    // with that field: a job that has the field keeps its own value.
    std::vector<std::pair<std::string, std::string>> field_flags;
};

// Declares every option of render-one on cli.
void declare_render_options(cli& cli);

// Reads and checks the options declare_render_options declared; throws
// usage_error for a bad value or a combination that does not go.
render_options read_render_options(const cli& cli);

}  // namespace vr
