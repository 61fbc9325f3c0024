// SPDX-License-Identifier: GPL-3.0-or-later
// The VST2 names JUCE's VST2 host expects, from Debian's free fst-dev header
// (no Steinberg SDK text). JUCE includes this file inside `namespace Vst2`.
#pragma once

#define FST2VST 1
// fst.h declares the speaker arrangement with a flexible array, but JUCE
// allocates and copies it as if it held eight speakers: give fst's struct
// another name and define the fixed-size one JUCE's arithmetic assumes.
#define VstSpeakerArrangement vr_fst_flexible_speaker_arrangement
#include <pluginterfaces/fst/fst.h>
#undef VstSpeakerArrangement

struct VstSpeakerArrangement {
    int type;
    int numChannels;
    VstSpeakerProperties speakers[8];
};
