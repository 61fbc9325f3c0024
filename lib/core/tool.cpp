// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tool.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <iostream>
#include <new>

#include "core/error.hpp"
#include "core/text.hpp"

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

namespace {

// cxxopts quotes with curly quotes; our messages use straight ones.
std::string straight_quotes(std::string s) {
    for (const char* curly : {"\u2018", "\u2019"})
        for (std::size_t at; (at = s.find(curly)) != std::string::npos;) s.replace(at, 3, "'");
    return s;
}

// The text between the first pair of quotes of a cxxopts message.
std::string quoted_part(const std::string& message) {
    std::string s = straight_quotes(message);
    auto a = s.find('\'');
    auto b = a == std::string::npos ? a : s.find('\'', a + 1);
    return b == std::string::npos ? std::string() : s.substr(a + 1, b - a - 1);
}

// The option that was given `value` on this command line ("--note C4",
// "--note=C4", "-n C4"), or "".
std::string option_given(int argc, char** argv, const std::string& value) {
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg.rfind("--", 0) == 0 && arg.size() > value.size() + 1 &&
            arg.compare(arg.size() - value.size() - 1, std::string::npos, "=" + value) == 0)
            return arg.substr(0, arg.size() - value.size() - 1);
        if (i + 1 < argc && argv[i + 1] == value && arg.size() > 1 && arg[0] == '-') return arg;
    }
    return "";
}

// One line per option for build-aux/gen-completion: "--long<TAB>-s<TAB>value
// or flag<TAB>PLACEHOLDER", "-" for a field that is empty (bash's read would
// merge two tabs).
void print_completion_table(const cxxopts::Options& options) {
    std::string table;
    for (const auto& group : options.groups())
        if (group != operands_group)
            for (const auto& o : options.group_help(group).options) {
                std::string placeholder = o.is_boolean ? "-" : o.arg_help.empty() ? "arg" : o.arg_help;
                table += (o.l.empty() ? "-" : "--" + o.l.front()) + "\t" + (o.s.empty() ? "-" : "-" + o.s) + "\t" +
                         (o.is_boolean ? "flag" : "value") + "\t" + placeholder + "\n";
            }
    std::fwrite(table.data(), 1, table.size(), stdout);
}

}  // namespace

std::string cli::closest_option(const std::string& given) const {
    std::string name = given.substr(given.find_first_not_of('-'));
    name = name.substr(0, name.find('='));
    std::vector<std::string> longs;
    for (const auto& group : options_.groups())
        if (group != operands_group)
            for (const auto& o : options_.group_help(group).options)
                if (!o.l.empty()) longs.push_back(o.l.front());
    // Further than two edits is no suggestion.
    auto nearest = closest_matches(name, longs, 1, 2);
    return nearest.empty() ? std::string() : longs[nearest.front()];
}

bool cli::parse(int argc, char** argv) {
    // Not an option, so --help does not list it: the completion scripts are
    // made from this table at build time and so follow the options.
    if (argc == 2 && std::strcmp(argv[1], "--print-completion-table") == 0) {
        print_completion_table(options_);
        return false;
    }
    try {
        result_ = options_.parse(argc, argv);
    } catch (const cxxopts::exceptions::no_such_option& e) {
        std::string given = quoted_part(e.what());
        if (given.rfind('-', 0) != 0) given = (given.size() > 1 ? "--" : "-") + given;
        std::string near = closest_option(given);
        throw_usage("unknown option '" + given + "'" + (near.empty() ? "" : "; did you mean '--" + near + "'?"));
    } catch (const cxxopts::exceptions::incorrect_argument_type& e) {
        std::string value = quoted_part(e.what()), option = option_given(argc, argv, value);
        throw_usage((option.empty() ? std::string() : option + ": ") + "'" + value + "' is not a number");
    } catch (const cxxopts::exceptions::missing_argument& e) {
        std::string option = quoted_part(e.what());
        throw_usage("option " + std::string(option.size() > 1 ? "--" : "-") + option + " needs a value");
    } catch (const cxxopts::exceptions::exception& e) {
        throw_usage(straight_quotes(e.what()));
    }
    if (result_.count("help")) {
        // The default group first, then the groups the tool declared, each
        // under its own name (cxxopts adds " options" to it).
        std::vector<std::string> groups{""};
        for (const auto& g : options_.groups())
            if (!g.empty() && g != operands_group) groups.push_back(g);
        std::string text = options_.help(groups);
        for (const auto& g : groups) {
            const std::string heading = "\n " + g + " options:\n";
            if (auto at = text.find(heading); !g.empty() && at != std::string::npos)
                text.replace(at, heading.size(), "\n " + g + ":\n");
        }
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
