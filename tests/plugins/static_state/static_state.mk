# SPDX-License-Identifier: GPL-3.0-or-later
# The test instrument vr-test-static-state (tests/plugins/static_state/
# README.md): one C file on plain_vst2.h, no JUCE, built by plain_vst2.mk's
# functions for Linux and for Windows. Included by the top Makefile, after
# plugins.mk.

TEST_STATIC_STATE_VST2 := build/plugins/static_state/vr-test-static-state.so
export VR_TEST_STATIC_STATE_VST2 := $(abspath $(TEST_STATIC_STATE_VST2))
$(eval $(call plain_vst2_linux,$(TEST_STATIC_STATE_VST2),tests/plugins/static_state/static_state_vst2.c))

WIN_STATIC_STATE_VST2 := build/plugins/win/static_state/vr-test-static-state.dll
export VR_WIN_STATIC_STATE_VST2 := $(abspath $(WIN_STATIC_STATE_VST2))
$(eval $(call plain_vst2_windows,$(WIN_STATIC_STATE_VST2),tests/plugins/static_state/static_state_vst2.c))

# The same, pinning its module (README.md, "Windows"): its statics outlive
# every instance, as a plugin's do that keeps itself loaded.
WIN_STATIC_STATE_PINNED_VST2 := build/plugins/win/static_state/vr-test-static-state-pinned.dll
export VR_WIN_STATIC_STATE_PINNED_VST2 := $(abspath $(WIN_STATIC_STATE_PINNED_VST2))
$(eval $(call plain_vst2_windows,$(WIN_STATIC_STATE_PINNED_VST2),tests/plugins/static_state/static_state_vst2.c,-DVR_PIN_MODULE))
