// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// cxxopts' own parser, not its std::regex one: the regexes are namespace-
// scope objects, compiled at start-up in every file that includes this
// one, a few milliseconds of each tool's start (issue 33's profile).
#define CXXOPTS_NO_REGEX 1
#include <cxxopts.hpp>
#include <string>
#include <vector>

namespace vr {

// The running tool's name, as given to run_tool (for messages and error records).
const std::string& tool_name();

// The toolkit's version string.
const char* version();

// Prints "TOOL: message" on stderr. Never writes stdout.
void warn(const std::string& message);

// A tool's command line: cxxopts with --help and --version built in.
// --help prints on stdout; a bad option or value is a usage_error (exit 2).
class cli {
public:
    cli(const std::string& operands_help, const std::string& summary);

    // Declares options, as with cxxopts::Options::add_options.
    cxxopts::OptionAdder add(const std::string& group = "");

    // Parses argv; returns false when --help or --version was printed and the
    // tool should return 0 without doing anything else. The one argument
    // --print-completion-table (hidden from --help) prints the option table
    // build-aux/gen-completion reads and returns false too.
    bool parse(int argc, char** argv);

    bool has(const std::string& name) const { return result_.count(name) > 0; }
    template <typename T>
    T get(const std::string& name) const {
        try {
            return result_[name].as<T>();
        } catch (const cxxopts::exceptions::exception& e) {
            throw_usage("--" + name + ": " + e.what());
        }
    }
    // The value of a number option, which must lie in [min, max] (NaN never
    // does): otherwise a usage error "--NAME must be between MIN and MAX".
    template <typename T>
    T get_in_range(const std::string& name, T min, T max) const {
        T v = get<T>(name);
        if (!(v >= min && v <= max))
            throw_usage("--" + name + " must be between " + std::to_string(min) + " and " + std::to_string(max));
        return v;
    }
    // Operands (arguments that are not options), in order.
    const std::vector<std::string>& operands() const { return operands_; }

    // The declared long option nearest to `given` (at most two edits away),
    // for "did you mean"; "" when none is that near.
    std::string closest_option(const std::string& given) const;

    // Throws usage_error with the message.
    [[noreturn]] static void throw_usage(const std::string& message);

private:
    cxxopts::Options options_;
    cxxopts::ParseResult result_;
    std::vector<std::string> operands_;
};

// Runs a tool's body with the house exit codes: usage errors exit 2 with a
// hint, fatal errors 3, a closed pipe downstream 0 and quietly; stdout is
// flushed and checked at the end. SIGPIPE is ignored so that EPIPE is seen.
int run_tool(const char* name, int argc, char** argv, int (*run)(int, char**));

}  // namespace vr
