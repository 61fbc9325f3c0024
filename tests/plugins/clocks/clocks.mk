# SPDX-License-Identifier: GPL-3.0-or-later
# The test instrument vr-test-clocks (tests/plugins/clocks/README.md): one
# C++ file on plain_vst2.h, no JUCE, built by plain_vst2.mk's functions.
# Included by the top Makefile, after plugins.mk and lib/windows/windows.mk.
# Linked against the shared libstdc++, as a plugin built by a distribution
# is: its steady_clock is libstdc++.so's.

TEST_CLOCKS_VST2 := build/plugins/clocks/vr-test-clocks.so
export VR_TEST_CLOCKS_VST2 := $(abspath $(TEST_CLOCKS_VST2))
$(eval $(call plain_vst2_linux,$(TEST_CLOCKS_VST2),tests/plugins/clocks/clocks_vst2.cpp))

# The same file built for Windows (README.md, "Windows"). -static: the posix
# compiler's libstdc++ needs winpthread, whose DLL no prefix holds.
WIN_CLOCKS_VST2 := build/plugins/win/clocks/vr-test-clocks.dll
export VR_WIN_CLOCKS_VST2 := $(abspath $(WIN_CLOCKS_VST2))
$(eval $(call plain_vst2_windows,$(WIN_CLOCKS_VST2),tests/plugins/clocks/clocks_vst2.cpp,-D_WIN32_WINNT=0x0A00 -static -lwinmm))
