// SPDX-License-Identifier: GPL-3.0-or-later
#include "render/dataset_options.hpp"

#include <cmath>
#include <string>

#include "core/error.hpp"
#include "render/sidecar.hpp"

namespace vr {

namespace {

double number_flag(const cli& cli, const char* name, double min, double max) {
    double v = cli.get<double>(name);
    if (!(v >= min && v <= max))
        cli::throw_usage(std::string("--") + name + " must be between " + std::to_string(min) + " and " +
                         std::to_string(max));
    return v;
}

}  // namespace

void declare_dataset_options(cli& cli) {
    cli.add("Length and shape of each render (job fields in parentheses)")(
        "tail", "seconds rendered after the note-off or the MIDI file's end, or auto: until silent (tail_s)",
        cxxopts::value<std::string>()->default_value("1"), "S|auto")(
        "silence-hold", "auto tail: ends after this many seconds below --silence-db (silence_hold_s)",
        cxxopts::value<double>()->default_value("0.2"), "S")(
        "max-tail", "auto tail: at most this many seconds (max_tail_s)",
        cxxopts::value<double>()->default_value("10"), "S")(
        "trim-silence", "cut leading and trailing audio below --silence-db (trim_silence)")(
        "trim-pad", "seconds of silence --trim-silence keeps on each side (trim_pad_s)",
        cxxopts::value<double>()->default_value("0.01"), "S")(
        "fade-out", "fade the last MS milliseconds out (fade_out_ms)", cxxopts::value<double>()->default_value("0"),
        "MS")(
        "normalize", "gain to reach lufs:LEVEL (integrated loudness) or peak:LEVEL (dBFS), or none (normalize)",
        cxxopts::value<std::string>()->default_value("none"), "HOW")(
        "true-peak-ceiling", "normalization lowers its gain to keep the true peak at or below this "
                             "(true_peak_ceiling_dbtp)",
        cxxopts::value<double>()->default_value("-1"), "DBTP")(
        "allow-nonfinite", "write NaN and Inf from the plugin as 0 and count them, instead of failing the job "
                           "(allow_nonfinite)")(
        "sidecar", "write each ok result record beside its output, as OUTPUT.json (implies --params)");
}

dataset_output::dataset_output(bool sidecar) : sidecar_(sidecar) {}

void dataset_output::finish(json& record) {
    if (sidecar_) write_sidecar(record);
    progress_.count(record);
}

std::unique_ptr<dataset_output> read_dataset_options(const cli& cli, render_defaults& defaults) {
    render_shape& s = defaults.shape;
    std::string tail = cli.get<std::string>("tail");
    if (tail == "auto") {
        s.tail_auto = true;
    } else {
        std::size_t used = 0;
        double v = NAN;
        try {
            v = std::stod(tail, &used);
        } catch (const std::exception&) {
        }
        if (used != tail.size() || !(v >= 0 && v <= max_seconds))
            cli::throw_usage("--tail must be auto or seconds between 0 and " +
                             std::to_string(static_cast<int>(max_seconds)));
        defaults.tail_s = v;
    }
    s.silence_db = number_flag(cli, "silence-db", -400.0, 0.0);
    s.silence_hold_s = number_flag(cli, "silence-hold", 0.0, max_seconds);
    s.max_tail_s = number_flag(cli, "max-tail", 0.0, max_seconds);
    s.trim_silence = cli.has("trim-silence");
    s.trim_pad_s = number_flag(cli, "trim-pad", 0.0, max_seconds);
    s.fade_out_ms = number_flag(cli, "fade-out", 0.0, max_seconds * 1000);
    try {
        s.normalize = parse_normalize(cli.get<std::string>("normalize"));
    } catch (const record_error& e) {
        cli::throw_usage(std::string("--normalize: ") + e.what());
    }
    s.true_peak_ceiling_dbtp = number_flag(cli, "true-peak-ceiling", -100.0, 0.0);
    s.allow_nonfinite = cli.has("allow-nonfinite");
    return std::make_unique<dataset_output>(cli.has("sidecar"));
}

}  // namespace vr
