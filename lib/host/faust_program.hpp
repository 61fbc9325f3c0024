// SPDX-License-Identifier: GPL-3.0-or-later
// Faust programs (a .dsp file, or a job's faust_code) compiled by libfaust's
// interpreter backend, once per program text and process.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "jobs/job.hpp"

class interpreter_dsp_factory;

namespace vr::host {

// render-one's --faust-* flags.
struct faust_options {
    std::optional<int> voices;  // --faust-voices: overrides the program's [nvoices:N]
    int max_mb = 2048;          // --faust-max-mb: address space a compile may add
    std::vector<std::string> libs;  // --faust-lib: import folders, before Debian's
};

// Sets the options every later compile and instance uses.
void use_faust_options(const faust_options& options);
// The options last set (defaults before).
const faust_options& faust_settings();

// The program's text: the ref's code, or its .dsp file; throws record_error.
std::string faust_source(const plugin_ref& ref);

// The SHA-256 of the program's text (plugin_sha256), or nothing when it
// cannot be read.
std::optional<std::string> faust_sha256(const plugin_ref& ref);

// The compiled program, from this process's cache or compiled now: in a
// forked child under RLIMIT_AS (what this process holds plus --faust-max-mb),
// which also starts one instance of it (its delay lines and tables count)
// and hands the program back as bitcode. A compile error throws
// record_error with Faust's message as "NAME:LINE: what"; a child that ran
// out of memory or crashed fails the job, not the worker.
interpreter_dsp_factory& faust_factory(const plugin_ref& ref);

// Seconds the compiles since the last call took (none: nothing), once: the
// job that paid for them says so.
std::optional<double> take_faust_compile_s();

}  // namespace vr::host
