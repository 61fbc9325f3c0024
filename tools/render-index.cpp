// SPDX-License-Identifier: GPL-3.0-or-later
// render-index: writes a static preview page (index.html and images) of the
// result records read, and passes the records on.
#include <malloc.h>

#include "core/error.hpp"
#include "core/records.hpp"
#include "core/tool.hpp"
#include "preview/index.hpp"

namespace {

int run(int argc, char** argv) {
    // Each row reads its audio and draws its images in buffers of a few
    // hundred KiB, allocated and freed again. By default glibc maps such
    // buffers fresh (or trims the heap after them), and the page faults cost
    // more than the drawing: reading a 1 s WAV took 3.6 ms, 0.15 ms with the
    // memory kept.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    vr::cli cli("--out DIR < results", "Write a preview page of rendered results: index.html plus images.");
    cli.add()("o,out", "the folder to write (created when missing)", cxxopts::value<std::string>(), "DIR")(
        "title", "the page's title", cxxopts::value<std::string>()->default_value("vst-render preview"), "TEXT")(
        "page-size", "rows shown per page (1-100000)", cxxopts::value<int>()->default_value("200"), "N")(
        "width", "image width in pixels (16-4096)", cxxopts::value<int>()->default_value("400"), "PX");
    if (!cli.parse(argc, argv)) return 0;
    if (!cli.operands().empty())
        vr::cli::throw_usage("render-index reads records on standard input; it takes no operands");
    if (!cli.has("out")) vr::cli::throw_usage("--out DIR is required");

    vr::preview_index_options options;
    options.out_dir = cli.get<std::string>("out");
    if (options.out_dir.empty()) vr::cli::throw_usage("--out: empty folder name");
    options.page.title = cli.get<std::string>("title");
    options.page.page_size = cli.get<int>("page-size");
    if (options.page.page_size < 1 || options.page.page_size > 100000)
        vr::cli::throw_usage("--page-size: must be 1-100000");
    options.image_width = cli.get<int>("width");
    if (options.image_width < 16 || options.image_width > 4096) vr::cli::throw_usage("--width: must be 16-4096");

    vr::preview_index index = [&] {
        try {
            return vr::preview_index(options);
        } catch (const vr::record_error& e) {
            throw vr::fatal_error(e.what());
        }
    }();
    vr::record_writer out;
    int code;
    try {
        code = vr::index_records(0, out, index);
    } catch (const vr::pipe_closed&) {
        // Nobody reads the records any more, but the page is still wanted.
        index.write_page();
        throw;
    }
    try {
        index.write_page();
    } catch (const vr::record_error& e) {
        throw vr::fatal_error(e.what());
    }
    return code;
}

}  // namespace

int main(int argc, char** argv) { return vr::run_tool("render-index", argc, argv, run); }
