// SPDX-License-Identifier: GPL-3.0-or-later
// What JUCE's VST2 plugin wrapper includes as the SDK's aeffect.h, made from
// Debian's free fst-dev header (no Steinberg text here). JUCE includes it
// inside `namespace Vst2`.
#pragma once

#define FST2VST 1
// fst.h marks the names it has not confirmed deprecated, which floods the
// build with warnings about JUCE's use of them.
#define FST_DONT_DEPRECATE_UNKNOWN 1

// fst.h ends VstSpeakerArrangement with a flexible array; JUCE's wrapper
// allocates it and takes offsetof(speakers) as if it held eight entries.
// Hide fst's version under another name and declare the fixed one.
#define VstSpeakerArrangement vr_test_synth_fst_speaker_arrangement
#include <pluginterfaces/fst/fst.h>
#undef VstSpeakerArrangement

struct VstSpeakerArrangement {
    int type;
    int numChannels;
    VstSpeakerProperties speakers[8];
};
