// SPDX-License-Identifier: GPL-3.0-or-later
// --check-reproducible: the probe's note rendered by a freshly started
// render-one, to compare with what this worker renders. A plugin whose two
// renders differ depends on something the job's seed does not pin.
#pragma once
#include <string>

#include "audio/file.hpp"
#include "jobs/job.hpp"

namespace vr {

struct fresh_render {
    bool ok = false;
    audio_buffer audio;  // when ok
    std::string error;   // when not
};

// Runs this program again (/proc/self/exe, --no-isolate) for one job: the
// probe's note (probe_plan) from seed 0 in the isolation given ("fork":
// from the plugin's first instance in a forked child; "fresh": on a second
// one; "process": a Windows plugin's, on the first instance of a Windows
// worker of its own), written as .npy into a temporary file that is read
// back and removed; input, when given, is fed to the plugin (through
// another temporary .npy); a plugin that takes no MIDI (takes_midi false,
// an effect) plays its input alone for as long as the probe's plan lasts.
// Gives up after timeout_s.
fresh_render render_in_fresh_process(const plugin_ref& plugin, int sample_rate, int block_size,
                                     const std::string& isolation, bool real_randomness, double timeout_s,
                                     const audio_buffer* input = nullptr, bool takes_midi = true);

// "" when the two hold the same samples, else where they first differ.
std::string first_difference(const audio_buffer& a, const audio_buffer& b);

}  // namespace vr
