# SPDX-License-Identifier: GPL-3.0-or-later
# The test instrument vr-test-needs-display (tests/plugins/needs_display/
# README.md): one C file on plain_vst2.h, no JUCE, linked with libX11, for
# tests/linux-display.bats, built by plain_vst2.mk's function. Included by
# plugins.mk.

TEST_NEEDS_DISPLAY_VST2 := build/plugins/needs_display/vr-test-needs-display.so
export VR_TEST_NEEDS_DISPLAY_VST2 := $(abspath $(TEST_NEEDS_DISPLAY_VST2))
$(eval $(call plain_vst2_linux,$(TEST_NEEDS_DISPLAY_VST2),tests/plugins/needs_display/needs_display_vst2.c,-lX11 -lm))
