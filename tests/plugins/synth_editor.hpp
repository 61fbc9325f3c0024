// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// vr-test-synth's editor: a slider bound to `level` and the level drawn
// large, its background a grey as light as the level (README.md, "The
// editor"). VR_TEST_SYNTH_EDITOR chooses how it misbehaves, as real
// plugins' editors do.

#include <functional>

#include <juce_audio_processors/juce_audio_processors.h>

namespace vr::test_synth {

enum class editor_kind {
    normal,
    none,    // VR_TEST_SYNTH_EDITOR=none: hasEditor() is false
    crash,   // =crash: creating the editor dies of SIGSEGV
    hang,    // =hang: creating the editor never returns (its window never shows)
    after,   // =after: a state given takes effect once an editor was created
    hidden,  // =hidden: the editor's window hides itself once a parameter changes
    unmapped,  // =unmapped: the editor's window never shows
    crash_drawing,  // =crash-drawing: the editor dies of SIGSEGV as it draws a level of 1
};

// What VR_TEST_SYNTH_EDITOR asks for (normal when unset).
editor_kind editor_requested();

// The editor's size, in pixels.
inline constexpr int editor_width = 320;
inline constexpr int editor_height = 160;

// An editor of p whose slider moves the parameter `level`, and which
// draws what name() returns (polled 30 times a second) at its top left.
juce::AudioProcessorEditor* make_editor(juce::AudioProcessor& p, juce::RangedAudioParameter& level,
                                        std::function<juce::String()> name, editor_kind kind);

} // namespace vr::test_synth
