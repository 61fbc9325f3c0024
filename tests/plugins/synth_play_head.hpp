// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The play-head variant (README.md, "Play head"): the output says what the
// host's play head says at each block's start, instead of sound.

#include <juce_audio_processors/juce_audio_processors.h>

namespace vr::test_synth {

// Overwrites the block's first `channels` channels (at most two) with the
// fields of head's position (head may be null: no play head).
void report_play_head(juce::AudioPlayHead* head, juce::AudioBuffer<float>& buffer, int channels);

}  // namespace vr::test_synth
