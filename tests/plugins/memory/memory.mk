# SPDX-License-Identifier: GPL-3.0-or-later
# The test instrument vr-test-memory (tests/plugins/memory/README.md): one
# C++ file on plain_vst2.h, no JUCE, built by plain_vst2.mk's functions.
# Included by the top Makefile, after plugins.mk.

TEST_MEMORY_VST2 := build/plugins/memory/vr-test-memory.so
export VR_TEST_MEMORY_VST2 := $(abspath $(TEST_MEMORY_VST2))
$(eval $(call plain_vst2_linux,$(TEST_MEMORY_VST2),tests/plugins/memory/memory_vst2.cpp))

# The same file for Windows (README.md, "Windows"), run by
# tests/windows-memory.bats. -static: the posix compiler's libstdc++ needs
# winpthread, whose DLL no prefix holds.
WIN_MEMORY_DIR  := build/plugins/win/memory
WIN_MEMORY_VST2 := $(WIN_MEMORY_DIR)/vr-test-memory.dll
export VR_WIN_MEMORY_VST2 := $(abspath $(WIN_MEMORY_VST2))
$(eval $(call plain_vst2_windows,$(WIN_MEMORY_VST2),tests/plugins/memory/memory_vst2.cpp,-static))
