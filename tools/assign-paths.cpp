// SPDX-License-Identifier: GPL-3.0-or-later
// assign-paths: gives each record a collision-free, sanitized output_path below one folder.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/records.hpp"
#include "core/tool.hpp"
#include "jobs/tempo_fields.hpp"
#include "paths/assign.hpp"

namespace {

int run(int argc, char** argv) {
    vr::cli cli("< records", "Give each record a collision-free, sanitized output_path below one folder.");
    cli.add()("o,out", "the output folder (need not exist yet)", cxxopts::value<std::string>(), "DIR")(
        "ext", "extension, which picks the audio format: wav flac ogg aiff npy",
        cxxopts::value<std::string>()->default_value("wav"), "EXT")(
        "layout", "flat: one folder named by preset; tree: mirror relative_path",
        cxxopts::value<std::string>()->default_value("flat"), "flat|tree")(
        "skip-existing", "mark records whose output file exists as skipped");
    if (!cli.parse(argc, argv)) return 0;
    if (!cli.operands().empty())
        vr::cli::throw_usage("assign-paths reads records on standard input; it takes no operands");

    if (!cli.has("out")) vr::cli::throw_usage("--out DIR is required");
    std::string dir = cli.get<std::string>("out");
    if (dir.empty()) vr::cli::throw_usage("--out: empty folder name");
    std::string ext = cli.get<std::string>("ext");
    if (!ext.empty() && ext[0] == '.') ext.erase(0, 1);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!vr::is_output_extension(ext))
        vr::cli::throw_usage("--ext: '" + cli.get<std::string>("ext") + "' is not one of wav flac ogg aiff npy");
    std::string layout_name = cli.get<std::string>("layout");
    if (layout_name != "flat" && layout_name != "tree")
        vr::cli::throw_usage("--layout: '" + layout_name + "' is neither flat nor tree");
    auto layout = layout_name == "tree" ? vr::path_layout::tree : vr::path_layout::flat;
    bool skip_existing = cli.has("skip-existing");

    std::string out_dir;
    try {
        out_dir = vr::absolute_path(dir);
    } catch (const vr::record_error& e) {
        vr::cli::throw_usage(std::string("--out: ") + e.what());
    }
    // The folder may be missing (render-one creates it) or a symlink the user chose, not a file.
    struct stat st {};
    if (::stat(out_dir.c_str(), &st) == 0) {
        if (!S_ISDIR(st.st_mode)) vr::cli::throw_usage("--out: " + out_dir + ": exists and is not a folder");
    } else if (errno != ENOENT) {
        vr::cli::throw_usage("--out: " + out_dir + ": " + std::strerror(errno));
    }

    vr::path_assigner assigner(out_dir);
    vr::record_writer out;
    vr::record_loop_options options;
    options.pass_skipped = false;  // skipped records still hold their names
    return vr::for_each_record(0, out, [&](vr::json&& record, vr::record_writer& w) {
        if (vr::is_skipped(record)) {
            auto it = record.find("output_path");
            if (it != record.end() && it->is_string()) {
                try {
                    assigner.reserve(vr::absolute_path(it->get<std::string>()));
                } catch (const vr::record_error&) {
                    // A path that cannot be made absolute names nothing below the folder.
                }
            }
            w.write(record);
            return;
        }
        auto target = assigner.assign(vr::request_for_record(record, layout, ext, vr::job_bpm(record)));
        bool exists = vr::check_target(assigner.out_dir(), target);
        record["output_path"] = target.absolute;
        // render-one writes below it and nowhere else (render-one(1)).
        record["output_root"] = assigner.out_dir();
        if (skip_existing && exists) record["status"] = "skipped";
        w.write(record);
    }, options);
}

}  // namespace

int main(int argc, char** argv) { return vr::run_tool("assign-paths", argc, argv, run); }
