// SPDX-License-Identifier: GPL-3.0-or-later
// The Serum 2 stand-in's identity (serum2_standin.cpp), for windows.mk,
// which has no CMake to write it: JUCE includes this before anything of
// its own (JUCE_APP_CONFIG_HEADER). A VST3 only. Its name holds "Serum",
// which is what render-one asks of a plugin it gives a .SerumPreset to;
// its codes are ours (Vrnd / VrS2), not Xfer's.
#pragma once

#define JucePlugin_Build_VST 0
#define JucePlugin_Build_VST3 1

#define JucePlugin_Build_LV2 0
#define JucePlugin_Build_AU 0
#define JucePlugin_Build_AUv3 0
#define JucePlugin_Build_AAX 0
#define JucePlugin_Build_Standalone 0
#define JucePlugin_Build_Unity 0
#define JucePlugin_Enable_ARA 0

#define JucePlugin_Name "Serum2 stand-in"
#define JucePlugin_Desc "vst-render stand-in for Serum 2"
#define JucePlugin_Manufacturer "vst-render"
#define JucePlugin_ManufacturerWebsite "https://vst-render.invalid"
#define JucePlugin_ManufacturerEmail "mailto:tests@vst-render.invalid"
#define JucePlugin_ManufacturerCode 0x56726e64  // Vrnd
#define JucePlugin_PluginCode 0x56725332        // VrS2
#define JucePlugin_IsSynth 1
#define JucePlugin_WantsMidiInput 1
#define JucePlugin_ProducesMidiOutput 0
#define JucePlugin_IsMidiEffect 0
#define JucePlugin_EditorRequiresKeyboardFocus 0
#define JucePlugin_Version 1.0.0
#define JucePlugin_VersionCode 0x10000
#define JucePlugin_VersionString "1.0.0"
#define JucePlugin_VSTUniqueID JucePlugin_PluginCode
#define JucePlugin_VSTCategory kPlugCategSynth
#define JucePlugin_VSTNumMidiInputs 16
#define JucePlugin_VSTNumMidiOutputs 16
#define JucePlugin_Vst3Category "Instrument|Synth"
#define JucePlugin_LV2URI "urn:vst-render:serum2-standin"
#define JucePlugin_CFBundleIdentifier com.vst-render.vr_serum2_standin
#define JucePlugin_AAXIdentifier com.vst-render.vr_serum2_standin
#define JucePlugin_AAXManufacturerCode JucePlugin_ManufacturerCode
#define JucePlugin_AAXProductId JucePlugin_PluginCode
#define JucePlugin_AAXCategory 2048
#define JucePlugin_AAXDisableBypass 0
#define JucePlugin_AAXDisableMultiMono 0
#define JucePlugin_AUMainType 'aumu'
#define JucePlugin_AUSubType JucePlugin_PluginCode
#define JucePlugin_AUExportPrefix vr_serum2_standinAU
#define JucePlugin_AUExportPrefixQuoted "vr_serum2_standinAU"
#define JucePlugin_AUManufacturerCode JucePlugin_ManufacturerCode
#define JucePlugin_ARAFactoryID "com.vst-render.vr_serum2_standin.arafactory.1.0.0"
#define JucePlugin_ARADocumentArchiveID "com.vst-render.vr_serum2_standin.aradocumentarchive.1"
#define JucePlugin_ARACompatibleArchiveIDs ""
#define JucePlugin_ARAContentTypes 0
#define JucePlugin_ARATransformationFlags 0

// As the test synth's (the rest of JUCE's settings are
// lib/windows/windows.mk's, shared with libjuce.a).
#define JUCE_VST3_CAN_REPLACE_VST2 0
#define JUCE_VST3_EMULATE_MIDI_CC_WITH_PARAMETERS 0
#define JUCE_STRICT_REFCOUNTEDPOINTER 1
