// SPDX-License-Identifier: GPL-3.0-or-later
// What the isolation probe plays and how it compares renders: the audio side
// of DESIGN.md rule 5, without a plugin (lib/worker/render_worker.cpp plays it).
#pragma once
#include <cstdint>
#include <string>

#include "audio/file.hpp"
#include "midi/play_plan.hpp"

namespace vr {

// The probe's note, in one place: what probe_plan plays, and the flags a
// freshly started render-one is given for the same note (fresh_render.cpp).
struct probe_note {
    int note = 60;
    int velocity = 100;
    double duration_s = 0.2;
    double tail_s = 0.1;
    int seed = 0;
};
inline constexpr probe_note the_probe_note{};

// The job the probe renders twice (the_probe_note), and the different one
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

// How two renders compare, for a verdict a user reads: the same samples,
// or where they first differ (frame and channel, from 0) and by how much
// at most; renders of other lengths or channel counts say so.
struct render_difference {
    bool same = true;
    bool shape = false;  // other lengths or channel counts
    std::int64_t frame = 0;
    int channel = 0;
    double largest = 0;  // the largest absolute difference of a sample
    std::string text() const;  // "same", or the differences in words
};
render_difference compare_renders(const audio_buffer& a, const audio_buffer& b);
// Whether float samples (a buffer, or their bytes from a child) hold any
// non-zero sample.
bool sounds(const audio_buffer& a);
bool sounds(const std::string& bytes);
// A buffer's samples as bytes, as a child sends them; and whether bytes so
// sent are a buffer's very samples.
std::string to_bytes(const audio_buffer& a);
bool same_bytes(const audio_buffer& a, const std::string& bytes);

}  // namespace vr
