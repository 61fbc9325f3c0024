// SPDX-License-Identifier: GPL-3.0-or-later
// serum-unwrap: converts Xfer Serum 2 presets into the state its VST3
// setState accepts, or prints what a preset holds.
#include <cmath>
#include <limits>
#include <optional>

#include "core/beneath.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/records.hpp"
#include "core/text.hpp"
#include "core/tool.hpp"
#include "presets/serum.hpp"
#include "presets/serum_store.hpp"

namespace {

struct settings {
    vr::serum_limits limits;
    vr::processor_markers markers;
    bool raw = false;
};

// Prints a file's CBOR payload or its JSON header as one line of JSON.
void print_file(const std::string& path, bool meta_only, const settings& s, vr::line_writer& out) {
    auto bytes = vr::read_serum_file(path, s.limits);
    vr::serum_document doc = vr::read_serum_document(bytes, s.limits);
    out.write_line(meta_only ? doc.meta.dump() : vr::cbor_to_json(doc.data).dump());
}

// Writes the state of one preset to `output`, atomically.
void convert_file(const std::string& path, const std::string& output, const settings& s) {
    auto bytes = vr::read_serum_file(path, s.limits);
    vr::serum_state state = vr::convert_serum_preset(bytes, s.limits, s.markers);
    vr::write_file_atomic(output, s.raw ? state.envelope : state.blob);
}

// Record mode: writes the state of a serum2 record into state_dir, named by
// its content, and adds state_path. Other records pass through.
void convert_record(vr::json& record, const vr::beneath& state_dir, const settings& s) {
    auto format = vr::get_string(record, "preset_format");
    if (!format || *format != "serum2") return;
    auto path = vr::get_path(record, "preset_path");
    if (!path) throw vr::record_error("preset_format is serum2 but the record has no preset_path");
    record["state_path"] = vr::store_serum_state(*path, state_dir, s.limits, s.markers);
}

int run(int argc, char** argv) {
    vr::cli cli("[FILE...] | < records",
                "Convert Xfer Serum 2 presets into the JUCE VST3 state Serum's setState accepts,\n"
                "or print what a preset holds. Without FILE, convert the serum2 records on stdin.");
    cli.add()("o,output", "write the state of the one FILE to STATE (atomically)",
              cxxopts::value<std::string>(), "STATE")(
        "raw", "with -o: write only the processor envelope (the IComponent bytes), not the JUCE blob")(
        "json", "print each FILE's CBOR payload as one line of JSON")(
        "meta", "print each FILE's JSON header as one line of JSON")(
        "state-dir", "record mode: write each state into DIR, named by its SHA-256",
        cxxopts::value<std::string>(), "DIR")(
        "product-version", "the productVersion marker of the processor state",
        cxxopts::value<std::string>()->default_value("2.1.4"), "STR")(
        "format-version",
        "the `version` marker of the processor state (a float32 in the CBOR; not the envelope's "
        "format version, which is always 2)",
        cxxopts::value<std::string>()->default_value("10.0"), "NUM")(
        "max-size", "refuse a payload that declares or inflates to more than BYTES",
        cxxopts::value<std::string>()->default_value("67108864"), "BYTES");
    if (!cli.parse(argc, argv)) return 0;

    settings s;
    s.raw = cli.has("raw");
    s.markers.product_version = cli.get<std::string>("product-version");
    if (s.markers.product_version.empty() || !vr::valid_utf8(s.markers.product_version))
        vr::cli::throw_usage("--product-version: give a non-empty UTF-8 string");
    {
        std::string text = cli.get<std::string>("format-version");
        std::size_t used = 0;
        double v = 0;
        try {
            v = std::stod(text, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != text.size() || !std::isfinite(v) ||
            std::fabs(v) > std::numeric_limits<float>::max())
            vr::cli::throw_usage("--format-version: \"" + text + "\" is not a number a float32 holds");
        s.markers.version = v;
    }
    {
        std::string text = cli.get<std::string>("max-size");
        if (text.empty() || text.size() > 12 || text.find_first_not_of("0123456789") != std::string::npos ||
            std::stoull(text) == 0 || std::stoull(text) > UINT32_MAX)
            vr::cli::throw_usage("--max-size: give a number of bytes from 1 to 4294967295");
        s.limits.max_cbor_size = std::stoull(text);
    }

    const auto& files = cli.operands();
    int modes = cli.has("output") + cli.has("json") + cli.has("meta");
    if (files.empty()) {
        if (modes || s.raw) vr::cli::throw_usage("-o, --raw, --json and --meta need a FILE operand");
        if (!cli.has("state-dir")) vr::cli::throw_usage("record mode needs --state-dir DIR");
        // DIR is the root of what is written: a link planted in it is refused, not followed.
        std::optional<vr::beneath> state_dir;
        try {
            state_dir.emplace(cli.get<std::string>("state-dir"), true);
        } catch (const vr::record_error& e) {
            vr::cli::throw_usage(std::string("--state-dir: ") + e.what());
        }
        vr::record_writer out;
        return vr::for_each_record(0, out, [&](vr::json&& record, vr::record_writer& w) {
            convert_record(record, *state_dir, s);
            w.write(record);
        });
    }

    if (cli.has("state-dir")) vr::cli::throw_usage("--state-dir is for record mode (no FILE operands)");
    if (modes != 1) vr::cli::throw_usage("give exactly one of -o STATE, --json and --meta");
    if (s.raw && !cli.has("output")) vr::cli::throw_usage("--raw goes with -o STATE");
    if (cli.has("output") && files.size() != 1) vr::cli::throw_usage("-o takes exactly one FILE");

    vr::line_writer out;
    int code = vr::exit_ok;
    for (const auto& file : files) {
        try {
            if (cli.has("output"))
                convert_file(file, cli.get<std::string>("output"), s);
            else
                print_file(file, cli.has("meta"), s, out);
        } catch (const vr::format_error& e) {
            vr::warn(file + ": " + e.what());
            code = vr::exit_failed_records;
        } catch (const vr::record_error& e) {
            vr::warn(e.what());  // read_file and write_file_atomic name the path
            code = vr::exit_failed_records;
        }
    }
    return code;
}

}  // namespace

int main(int argc, char** argv) { return vr::run_tool("serum-unwrap", argc, argv, run); }
