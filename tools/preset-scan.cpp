// SPDX-License-Identifier: GPL-3.0-or-later
// preset-scan: finds .fxp .fxb .vstpreset .SerumPreset .vital .syx and JUCE
// XML presets and writes a record per preset; with no operands, adds the
// preset fields to records.
#include "core/records.hpp"
#include "core/tool.hpp"
#include "presets/scan.hpp"
#include "presets/walk.hpp"

namespace {

int run(int argc, char** argv) {
    vr::cli cli("[FILE|FOLDER...] | < records",
                "Find VST2, VST3, Serum 2, Vital, DX7 SysEx and JUCE XML presets and write one record per preset.");
    cli.add()("by-extension", "trust file names: read only files named .fxp .fxb .vstpreset .SerumPreset .vital .syx .noisemakerpreset")(
        "expand-banks", "one record per program of a bank (a voice of a DX7 cartridge), with program_index");
    if (!cli.parse(argc, argv)) return 0;

    vr::scan_options options;
    options.by_extension = cli.has("by-extension");
    options.expand_banks = cli.has("expand-banks");

    vr::record_writer out;
    if (cli.operands().empty())
        return vr::for_each_record(0, out, [&](vr::json&& record, vr::record_writer& w) {
            vr::describe_record(std::move(record), options, w);
        });
    for (const auto& operand : cli.operands()) vr::scan_operand(operand, options, out);
    return out.exit_code();
}

}  // namespace

int main(int argc, char** argv) { return vr::run_tool("preset-scan", argc, argv, run); }
