// SPDX-License-Identifier: GPL-3.0-or-later
// render-one: renders each job record (or one job given by flags) with an
// audio plugin; render-one(1). This command is small and holds no plugin
// host: with --warm it runs the render in a warm render-one when one is
// up (warm/warm.hpp), and otherwise it becomes render-one's host,
// render-one-host (tools/libexec/render-one-host.cpp), with the same
// arguments. A command that starts in a millisecond, not the host's three.
#include <sys/personality.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "core/error.hpp"
#include "core/process.hpp"
#include "core/tool.hpp"
#include "jobs/options.hpp"
#include "warm/warm.hpp"

namespace {

// Where the host is: lib/vst-render/ beside the folder of this command
// (bin/), in the build and installed alike.
std::string host_path() {
    return std::filesystem::path(vr::own_executable()).parent_path().parent_path() / "lib/vst-render/render-one-host";
}

// Whether the arguments ask for --warm (any other run goes to the host
// without reading them here).
bool asks_warm(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--warm") == 0 || std::strncmp(argv[i], "--warm=", 7) == 0) return true;
    return false;
}

// Whether the arguments say --real-randomness.
bool asks_real_randomness(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--real-randomness") == 0) return true;
    return false;
}

int run(int argc, char** argv) {
    const std::string host = host_path();
    // The host, and every process it starts, lays its address space out
    // without randomization (kept across fork and exec): a plugin's module,
    // its stack and glibc's heap are where they were in the last run
    // (render-one(1), Reproducibility). Where it is refused, the host's
    // records say so.
    if (!asks_real_randomness(argc, argv))
        if (const int persona = ::personality(0xffffffff); persona != -1) (void)::personality(persona | ADDR_NO_RANDOMIZE);
    if (asks_warm(argc, argv)) {
        vr::cli cli("[< jobs]", vr::render_one_summary);
        vr::declare_render_options(cli);
        if (!cli.parse(argc, argv)) return 0;
        const vr::render_options options = vr::read_render_options(cli);
        if (options.warm_s > 0)
            if (auto code = vr::run_in_warm(options, argc, argv, host)) return *code;
    }
    ::execv(host.c_str(), argv);
    throw vr::fatal_error("cannot run render-one's host " + host + ": " + std::strerror(errno));
}

}  // namespace

int main(int argc, char** argv) { return vr::run_tool("render-one", argc, argv, run); }
