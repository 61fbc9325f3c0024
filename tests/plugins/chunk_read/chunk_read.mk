# SPDX-License-Identifier: GPL-3.0-or-later
# The test instrument vr-test-chunk-read (tests/plugins/chunk_read/
# README.md): one C file on plain_vst2.h, no JUCE, built for Linux and for
# Windows by plain_vst2.mk's functions. Included by the top Makefile, after
# plugins.mk.

TEST_CHUNK_READ_VST2 := build/plugins/chunk_read/vr-test-chunk-read.so
export VR_TEST_CHUNK_READ_VST2 := $(abspath $(TEST_CHUNK_READ_VST2))
$(eval $(call plain_vst2_linux,$(TEST_CHUNK_READ_VST2),tests/plugins/chunk_read/chunk_read_vst2.c,-lm))

WIN_CHUNK_READ_VST2 := build/plugins/win/chunk_read/vr-test-chunk-read.dll
export VR_WIN_CHUNK_READ_VST2 := $(abspath $(WIN_CHUNK_READ_VST2))
$(eval $(call plain_vst2_windows,$(WIN_CHUNK_READ_VST2),tests/plugins/chunk_read/chunk_read_vst2.c,-lm))
