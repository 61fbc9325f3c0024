// SPDX-License-Identifier: GPL-3.0-or-later
// job-grid: expands each record into one job per (note, velocity, seed).
#include <climits>
#include <vector>

#include "core/records.hpp"
#include "core/tool.hpp"
#include "render/grid.hpp"

namespace {

int run(int argc, char** argv) {
    vr::cli cli("< records", "Expand each record into one job per note x velocity (x seed).");
    cli.add()("n,notes", "notes: N, A-B or A-B:STEP, comma-separated (0-127)",
              cxxopts::value<std::string>()->default_value("60"), "LIST")(
        "v,velocities", "velocities, same syntax (1-127)",
        cxxopts::value<std::string>()->default_value("100"), "LIST")(
        "s,seeds", "seeds, same syntax (0-2147483647): each job once per seed; none given, seed is left alone",
        cxxopts::value<std::string>(), "LIST");
    if (!cli.parse(argc, argv)) return 0;
    if (!cli.operands().empty()) vr::cli::throw_usage("job-grid reads records on standard input; it takes no operands");

    auto notes = vr::parse_number_list(cli.get<std::string>("notes"), 0, 127, "--notes");
    auto velocities = vr::parse_number_list(cli.get<std::string>("velocities"), 1, 127, "--velocities");
    std::vector<int> seeds;
    if (cli.has("seeds")) seeds = vr::parse_number_list(cli.get<std::string>("seeds"), 0, INT32_MAX, "--seeds");

    vr::record_writer out;
    return vr::for_each_record(0, out, [&](vr::json&& record, vr::record_writer& w) {
        for (int note : notes)
            for (int velocity : velocities) {
                vr::json job = record;
                job["note"] = note;
                job["velocity"] = velocity;
                if (seeds.empty()) {
                    w.write(job);
                    continue;
                }
                for (int seed : seeds) {
                    job["seed"] = seed;
                    w.write(job);
                }
            }
    });
}

}  // namespace

int main(int argc, char** argv) { return vr::run_tool("job-grid", argc, argv, run); }
