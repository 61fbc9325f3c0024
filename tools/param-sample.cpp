// SPDX-License-Identifier: GPL-3.0-or-later
// param-sample: jobs that sample a plugin's parameter space, reproducibly.
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/records.hpp"
#include "core/tool.hpp"
#include "dataset/sample.hpp"
#include "dataset/space.hpp"

namespace {

using vr::dataset::method;

method parse_method(const std::string& name) {
    for (method m : {method::uniform, method::sobol, method::lhs})
        if (name == vr::dataset::method_name(m)) return m;
    vr::cli::throw_usage("--method must be uniform, sobol or lhs, not '" + name + "'");
}

// "A-B" or "A": the first and last sample index, inside 0..count-1.
std::pair<std::uint64_t, std::uint64_t> parse_range(const std::string& text, std::uint64_t count) {
    auto number = [&](const std::string& s) {
        if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 12)
            vr::cli::throw_usage("--range '" + text + "': expected A-B, two sample indexes");
        return std::stoull(s);
    };
    auto dash = text.find('-');
    std::uint64_t a = number(text.substr(0, dash));
    std::uint64_t b = dash == std::string::npos ? a : number(text.substr(dash + 1));
    if (a > b) vr::cli::throw_usage("--range '" + text + "' runs backwards");
    if (b >= count)
        vr::cli::throw_usage("--range '" + text + "' goes past the last sample, " + std::to_string(count - 1) +
                             " (--count " + std::to_string(count) + ")");
    return {a, b};
}

int run(int argc, char** argv) {
    vr::cli cli("< records", "Write jobs whose set_params sample each record's parameters (plugin-scan --params).");
    cli.add()("n,count", "samples per input record (at most 4294967296)", cxxopts::value<std::uint64_t>(), "N")(
        "seed", "the sampling seed (not the render's seed)", cxxopts::value<std::uint64_t>()->default_value("0"), "N")(
        "range", "write only samples A to B of --count (both included), for sharding", cxxopts::value<std::string>(),
        "A-B")("m,method", "uniform, sobol (scrambled) or lhs (Latin hypercube)",
               cxxopts::value<std::string>()->default_value("uniform"), "uniform|sobol|lhs")(
        "space", "a JSON file saying which parameters vary over which range", cxxopts::value<std::string>(), "FILE")(
        "around", "perturb each record's own values (render-one --params results) instead")(
        "sigma", "--around: standard deviation of a continuous parameter's move, normalized",
        cxxopts::value<double>()->default_value("0.05"), "S")(
        "step-probability", "--around: chance that a discrete parameter moves to a neighbouring step",
        cxxopts::value<double>()->default_value("0.1"), "P");
    if (!cli.parse(argc, argv)) return 0;
    if (!cli.operands().empty()) vr::cli::throw_usage("param-sample reads records on standard input; it takes no operands");
    if (!cli.has("count")) vr::cli::throw_usage("--count N is needed: how many samples each record gives");

    vr::dataset::sample_settings settings;
    settings.count = cli.get_in_range<std::uint64_t>("count", 1, vr::dataset::max_samples);
    settings.seed = cli.get<std::uint64_t>("seed");
    settings.how = parse_method(cli.get<std::string>("method"));
    if (cli.has("around")) {
        if (settings.how != method::uniform)
            vr::cli::throw_usage("--around draws its own moves; it does not take --method " + cli.get<std::string>("method"));
        settings.how = method::around;
    } else if (cli.has("sigma") || cli.has("step-probability")) {
        vr::cli::throw_usage("--sigma and --step-probability go with --around");
    }
    settings.sigma = cli.get_in_range<double>("sigma", 0, 1);
    settings.step_probability = cli.get_in_range<double>("step-probability", 0, 1);
    auto [first, last] = cli.has("range") ? parse_range(cli.get<std::string>("range"), settings.count)
                                          : std::pair<std::uint64_t, std::uint64_t>{0, settings.count - 1};
    std::vector<vr::dataset::space_rule> rules;
    std::string space_file = cli.has("space") ? cli.get<std::string>("space") : "";
    if (!space_file.empty()) {
        std::vector<std::uint8_t> bytes;
        try {
            bytes = vr::read_file(space_file, 16u << 20);
        } catch (const vr::record_error& e) {
            vr::cli::throw_usage(e.what());
        }
        rules = vr::dataset::parse_space(std::string(bytes.begin(), bytes.end()), space_file);
    }

    vr::record_writer out;
    vr::dataset::line_batch batch(out);
    try {
        return vr::for_each_record(0, out, [&](vr::json&& record, vr::record_writer&) {
            std::string where = "line " + std::to_string(vr::current_record_line()) + ": ";
            std::vector<vr::dataset::param_info> params;
            try {
                params = vr::dataset::read_params(record);
            } catch (const vr::record_error& e) {
                throw vr::record_error(where + e.what());
            }
            vr::dataset::sampler sampler(vr::dataset::make_plan(params, rules, space_file), settings);
            std::string prefix = vr::dataset::job_prefix(std::move(record));
            for (std::uint64_t i = first; i <= last; ++i) {
                sampler.append_job(batch.text(), prefix, i);
                batch.flush(1u << 16);
            }
            batch.flush();
        });
    } catch (const vr::dataset::space_mismatch& e) {
        throw vr::usage_error(e.what());
    }
}

}  // namespace

int main(int argc, char** argv) { return vr::run_tool("param-sample", argc, argv, run); }
