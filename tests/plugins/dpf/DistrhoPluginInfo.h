// SPDX-License-Identifier: GPL-3.0-or-later
// What DPF needs to know of vr-dpf-synth before it compiles its wrappers
// (README.md beside this says what the plugin does).
#pragma once

#define DISTRHO_PLUGIN_NAME  "vr-dpf-synth"
#define DISTRHO_PLUGIN_BRAND "vst-render"
// A URN, not http: it names the plugin and must never look fetchable.
#define DISTRHO_PLUGIN_URI   "urn:vst-render:dpf-synth"

#define DISTRHO_PLUGIN_HAS_UI        0
#define DISTRHO_PLUGIN_IS_RT_SAFE    1
#define DISTRHO_PLUGIN_IS_SYNTH      1
#define DISTRHO_PLUGIN_NUM_INPUTS    0
#define DISTRHO_PLUGIN_NUM_OUTPUTS   2
#define DISTRHO_PLUGIN_WANT_MIDI_INPUT 1
#define DISTRHO_PLUGIN_WANT_PROGRAMS 0
#define DISTRHO_PLUGIN_WANT_STATE    0
#define DISTRHO_PLUGIN_VST3_CATEGORIES "Instrument|Synth"
#define DISTRHO_PLUGIN_LV2_CATEGORY "lv2:InstrumentPlugin"
