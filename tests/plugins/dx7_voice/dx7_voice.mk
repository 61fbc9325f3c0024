# SPDX-License-Identifier: GPL-3.0-or-later
# The test instrument vr-test-dx7 (tests/plugins/dx7_voice/README.md): one
# C++ file on plain_vst2.h, no JUCE, that takes DX7 voice dumps over MIDI
# SysEx; built by plain_vst2.mk's function. Included by plugins.mk.

TEST_DX7_VST2 := build/plugins/dx7_voice/vr-test-dx7.so
export VR_TEST_DX7_VST2 := $(abspath $(TEST_DX7_VST2))
$(eval $(call plain_vst2_linux,$(TEST_DX7_VST2),tests/plugins/dx7_voice/dx7_voice.cpp,))
