// SPDX-License-Identifier: GPL-3.0-or-later
// What the isolation probe plays and how it compares renders: the audio side
// of DESIGN.md rule 5, without a plugin (lib/host/render_worker.cpp plays it).
#pragma once
#include <string>

#include "audio/file.hpp"
#include "midi/play_plan.hpp"

namespace vr {

// The job the probe renders twice (a short note), and the different one
// played in between: another note with pitch bend and modulation left up.
play_plan probe_plan(int sample_rate);
play_plan disturbing_plan(int sample_rate);
// What an effect hears while the probe plays (the plans' notes go to
// plugins that take MIDI): 0.2 s of noise (silence after its end, as for
// any input); the disturbing render's is louder and other noise.
// channels: the main input bus's.
audio_buffer probe_input(int sample_rate, int channels, bool disturbing = false);

// Whether two buffers hold the very same samples.
bool same_samples(const audio_buffer& a, const audio_buffer& b);
// Whether float samples (a buffer, or their bytes from a child) hold any
// non-zero sample.
bool sounds(const audio_buffer& a);
bool sounds(const std::string& bytes);
// A buffer's samples as bytes, as a child sends them; and whether bytes so
// sent are a buffer's very samples.
std::string to_bytes(const audio_buffer& a);
bool same_bytes(const audio_buffer& a, const std::string& bytes);

}  // namespace vr
