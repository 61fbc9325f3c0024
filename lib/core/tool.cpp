// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tool.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <new>

#include "core/error.hpp"

#ifndef VR_VERSION
#define VR_VERSION "0.0.0-unknown"
#endif

namespace vr {

namespace {
std::string g_tool = "vst-render";
const char* const operands_group = "(operands)";
}

const std::string& tool_name() { return g_tool; }
const char* version() { return VR_VERSION; }

void warn(const std::string& message) {
    std::string line = g_tool + ": " + message + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

cli::cli(const std::string& operands_help, const std::string& summary)
    : options_(g_tool, summary) {
    options_.positional_help(operands_help).show_positional_help();
    options_.set_width(100);
    options_.add_options()("h,help", "print this help and exit")(
        "version", "print the version and exit");
    options_.add_options(operands_group)("operands", "operands",
                                         cxxopts::value<std::vector<std::string>>());
    options_.parse_positional({"operands"});
}

cxxopts::OptionAdder cli::add(const std::string& group) { return options_.add_options(group); }

bool cli::parse(int argc, char** argv) {
    try {
        result_ = options_.parse(argc, argv);
    } catch (const cxxopts::exceptions::exception& e) {
        throw_usage(e.what());
    }
    if (result_.count("help")) {
        // The default group first, then the groups the tool declared.
        std::vector<std::string> groups{""};
        for (const auto& g : options_.groups())
            if (!g.empty() && g != operands_group) groups.push_back(g);
        std::string text = options_.help(groups);
        std::fwrite(text.data(), 1, text.size(), stdout);
        return false;
    }
    if (result_.count("version")) {
        std::printf("%s %s\n", g_tool.c_str(), version());
        return false;
    }
    if (result_.count("operands")) operands_ = result_["operands"].as<std::vector<std::string>>();
    return true;
}

void cli::throw_usage(const std::string& message) { throw usage_error(message); }

int run_tool(const char* name, int argc, char** argv, int (*run)(int, char**)) {
    g_tool = name;
    std::signal(SIGPIPE, SIG_IGN);
    int code = exit_fatal;
    try {
        code = run(argc, argv);
        std::cout.flush();
        if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
            if (errno == EPIPE) return exit_ok;
            throw fatal_error(std::string("cannot write standard output: ") + std::strerror(errno));
        }
        return code;
    } catch (const pipe_closed&) {
        return exit_ok;
    } catch (const usage_error& e) {
        warn(e.what());
        warn(std::string("try '") + name + " --help'");
        return exit_usage;
    } catch (const std::bad_alloc&) {
        warn("out of memory");
        return exit_fatal;
    } catch (const std::exception& e) {
        warn(e.what());
        return exit_fatal;
    }
}

}  // namespace vr
