# SPDX-License-Identifier: GPL-3.0-or-later
# The test instrument vr-test-juce5-start (tests/plugins/juce5_start/
# README.md): one C++ file on plain_vst2.h, no JUCE, that starts as a JUCE
# 5 plugin does; built twice by plain_vst2.mk's function: as it is, and
# with VR_START_LATE (the start-up's losing interleaving, every time).
# Included by plugins.mk.

TEST_JUCE5_START_VST2      := build/plugins/juce5_start/vr-test-juce5-start.so
TEST_JUCE5_START_LATE_VST2 := build/plugins/juce5_start/vr-test-juce5-start-late.so
export VR_TEST_JUCE5_START_VST2      := $(abspath $(TEST_JUCE5_START_VST2))
export VR_TEST_JUCE5_START_LATE_VST2 := $(abspath $(TEST_JUCE5_START_LATE_VST2))
$(eval $(call plain_vst2_linux,$(TEST_JUCE5_START_VST2),tests/plugins/juce5_start/juce5_start.cpp,-lpthread))
$(eval $(call plain_vst2_linux,$(TEST_JUCE5_START_LATE_VST2),tests/plugins/juce5_start/juce5_start.cpp,-DVR_START_LATE -lpthread))
