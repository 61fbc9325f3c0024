// SPDX-License-Identifier: GPL-3.0-or-later
// A plugin host that serves plugin_instance calls over a pipe
// (host/instance_wire.hpp): the heart of the Windows worker
// (tools/windows/vr-win-worker.cpp), which is this JUCE host built for
// Windows and run under wine. Its client is wine/windows_instance.hpp.
// Nothing but hosting happens here: no files are written, no records made;
// float audio goes back and render-one's worker does the rest.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

#include "plugins/plugin_ref.hpp"

namespace vr::host {

// What the host it serves for adds: a request's seed (the Windows worker
// pins its plugins' randomness and wall clock to it: windows/
// pinned_imports.hpp), what comes before JUCE loads a plugin (told
// whether this worker will be asked to restore), and a restore (the
// Windows worker's windows/module_restore.hpp).
struct server_hooks {
    void (*on_seed)(std::uint32_t seed) = nullptr;
    void (*before_load)(const plugin_ref& ref, int sample_rate, bool restores) = nullptr;
    // "" once done, else why it cannot be.
    std::string (*restore)() = nullptr;
};

// Answers requests from in on out until in ends (0) or a message cannot be
// read (1). Needs a juce_runtime. Requests: hello; load (ref, rate, block,
// sidechain, and restores: whether restores will follow, true when
// absent) -> instance id and info; describe (ref, params) -> plugin-scan's
// fields of each plugin in ref's file (host/describe_instance.hpp), its
// instances left to the process's end; restore -> null, or a record error
// saying why not (an instance is still alive, or hooks.restore's reason);
// free; and one per plugin_instance call (programs, program_name,
// select_program, set_parameter, apply_preset, state, program_preset,
// bank_preset, read_params, param_values, param_names, reset, render). A
// request that carries `seed` first calls hooks.on_seed with it.
int serve_instances(std::FILE* in, std::FILE* out, server_hooks hooks = {});

}  // namespace vr::host
