# SPDX-License-Identifier: GPL-3.0-or-later
# The test instrument vr-test-clocks (tests/plugins/clocks/README.md): one
# C++ file, no JUCE. Included by the top Makefile, after plugins.mk and
# lib/windows/windows.mk.
#
# Always into build/plugins, whatever $(BUILD) is, and with flags of its own
# (never the environment's CXXFLAGS): the sanitizer build hosts the same
# uninstrumented plugin. Linked against the shared libstdc++, as a plugin
# built by a distribution is: its steady_clock is libstdc++.so's.

TEST_CLOCKS_VST2 := build/plugins/clocks/vr-test-clocks.so

TEST_PLUGINS += $(TEST_CLOCKS_VST2)
# plugins.mk's test-plugins took TEST_PLUGINS as it stood then.
test-plugins: $(TEST_CLOCKS_VST2)

export VR_TEST_CLOCKS_VST2 := $(abspath $(TEST_CLOCKS_VST2))

# -Wno-cpp: fst.h's own #warning lines, about its names, not our code.
$(TEST_CLOCKS_VST2): tests/plugins/clocks/clocks_vst2.cpp tests/plugins/clocks/clocks.mk \
                     $(wildcard tests/plugins/vst2compat/pluginterfaces/vst2.x/*.h)
	@mkdir -p $(@D)
	$(CXX) -std=c++17 -O2 -fPIC -shared -fvisibility=hidden -Wall -Wextra -Wno-cpp \
	  -Itests/plugins/vst2compat -o $@ $<

# The same file built for Windows (README.md, "Windows") where the cross
# compiler is (lib/windows/windows.mk's WIN_CXX); the path is exported
# either way, so a test can say the plugin is missing. -static: the posix
# compiler's libstdc++ needs winpthread, whose DLL no prefix holds.
WIN_CLOCKS_VST2 := build/plugins/win/clocks/vr-test-clocks.dll
export VR_WIN_CLOCKS_VST2 := $(abspath $(WIN_CLOCKS_VST2))

ifneq ($(HAVE_WIN_CXX),)
TEST_PLUGINS += $(WIN_CLOCKS_VST2)
test-plugins: $(WIN_CLOCKS_VST2)

$(WIN_CLOCKS_VST2): tests/plugins/clocks/clocks_vst2.cpp tests/plugins/clocks/clocks.mk tests/plugins/windows/vst2.def \
                    $(wildcard tests/plugins/vst2compat/pluginterfaces/vst2.x/*.h) | $(WIN_INCLUDE_STAMP)
	@mkdir -p $(@D)
	$(WIN_CXX) -std=c++17 -O2 -shared -s -static-libgcc -static-libstdc++ -Wall -Wextra -Wno-cpp \
	  -D_WIN32_WINNT=0x0A00 -Itests/plugins/vst2compat -isystem $(WIN_INCLUDE) -o $@ $< \
	  tests/plugins/windows/vst2.def -static -lwinmm
endif
