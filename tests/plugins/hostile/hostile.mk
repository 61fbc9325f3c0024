# SPDX-License-Identifier: GPL-3.0-or-later
# The test instrument vr-test-hostile (tests/plugins/hostile/README.md):
# one C file on plain_vst2.h, no JUCE, for tests/sandbox.bats, built by
# plain_vst2.mk's function. Included by plugins.mk.

TEST_HOSTILE_VST2 := build/plugins/hostile/vr-test-hostile.so
export VR_TEST_HOSTILE_VST2 := $(abspath $(TEST_HOSTILE_VST2))
$(eval $(call plain_vst2_linux,$(TEST_HOSTILE_VST2),tests/plugins/hostile/hostile_vst2.c,-lm))
