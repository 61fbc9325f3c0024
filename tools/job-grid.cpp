// SPDX-License-Identifier: GPL-3.0-or-later
// job-grid: expands each record into one job per (input, note, velocity, bpm, seed).
#include <climits>
#include <string>
#include <vector>

#include "core/records.hpp"
#include "core/tool.hpp"
#include "jobs/grid.hpp"
#include "jobs/tempo_fields.hpp"

namespace {

int run(int argc, char** argv) {
    vr::cli cli("< records", "Expand each record into one job per input x note x velocity x bpm x seed.");
    cli.add()("n,notes", "notes: N, A-B or A-B:STEP, comma-separated (0-127)",
              cxxopts::value<std::string>()->default_value("60"), "LIST")(
        "v,velocities", "velocities, same syntax (1-127)",
        cxxopts::value<std::string>()->default_value("100"), "LIST")(
        "b,bpms", "host tempos in beats a minute, same syntax (1-999; a single item may be a decimal, as 92.5): "
                  "each job once per tempo; none given, bpm is left alone",
        cxxopts::value<std::string>(), "LIST")(
        "s,seeds", "seeds, same syntax (0-2147483647): each job once per seed; none given, seed is left alone",
        cxxopts::value<std::string>(), "LIST")(
        "i,inputs", "input audio files, comma-separated: each job once per input (input_path); notes and "
                    "velocities then only when given",
        cxxopts::value<std::string>(), "LIST")(
        "inputs-from", "input audio files, one path a line (for paths with commas)", cxxopts::value<std::string>(),
        "FILE");
    if (!cli.parse(argc, argv)) return 0;
    if (!cli.operands().empty()) vr::cli::throw_usage("job-grid reads records on standard input; it takes no operands");

    // Each axis: a field and its values, crossed in this order.
    std::vector<vr::grid_axis> axes;
    std::vector<std::string> inputs;
    if (cli.has("inputs")) inputs = vr::parse_path_list(cli.get<std::string>("inputs"), "--inputs");
    if (cli.has("inputs-from")) {
        auto more = vr::read_path_list(cli.get<std::string>("inputs-from"));
        inputs.insert(inputs.end(), more.begin(), more.end());
    }
    if (!inputs.empty()) axes.push_back(vr::grid_axis::of("input_path", inputs));
    // An effect's jobs play no note unless notes are asked for.
    if (inputs.empty() || cli.has("notes") || cli.has("velocities")) {
        axes.push_back(vr::grid_axis::of("note", vr::parse_number_list(cli.get<std::string>("notes"), 0, 127, "--notes")));
        axes.push_back(vr::grid_axis::of(
            "velocity", vr::parse_number_list(cli.get<std::string>("velocities"), 1, 127, "--velocities")));
    }
    if (cli.has("bpms")) {
        std::vector<vr::json> bpms;
        for (double bpm : vr::parse_bpm_list(cli.get<std::string>("bpms"), "--bpms")) bpms.push_back(vr::bpm_value(bpm));
        axes.push_back({"bpm", std::move(bpms)});
    }
    if (cli.has("seeds"))
        axes.push_back(vr::grid_axis::of("seed", vr::parse_number_list(cli.get<std::string>("seeds"), 0, INT32_MAX, "--seeds")));

    vr::record_writer out;
    return vr::for_each_record(0, out, [&](vr::json&& record, vr::record_writer& w) {
        vr::for_each_cross(record, axes, [&](const vr::json& job) { w.write(job); });
    });
}

}  // namespace

int main(int argc, char** argv) { return vr::run_tool("job-grid", argc, argv, run); }
