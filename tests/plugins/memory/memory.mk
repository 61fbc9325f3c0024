# SPDX-License-Identifier: GPL-3.0-or-later
# The test instrument vr-test-memory (tests/plugins/memory/README.md): one
# C++ file, no JUCE. Included by the top Makefile, after plugins.mk; built
# like vr-test-seeds (seeds.mk): always into build/plugins, uninstrumented,
# with flags of its own.

TEST_MEMORY_VST2 := build/plugins/memory/vr-test-memory.so

TEST_PLUGINS += $(TEST_MEMORY_VST2)
test-plugins: $(TEST_MEMORY_VST2)

export VR_TEST_MEMORY_VST2 := $(abspath $(TEST_MEMORY_VST2))

# -Wno-cpp: fst.h's own #warning lines.
$(TEST_MEMORY_VST2): tests/plugins/memory/memory_vst2.cpp tests/plugins/memory/memory.mk \
                     $(wildcard tests/plugins/vst2compat/pluginterfaces/vst2.x/*.h)
	@mkdir -p $(@D)
	$(CXX) -std=c++17 -O2 -fPIC -shared -fvisibility=hidden -Wall -Wextra -Wno-cpp \
	  -Itests/plugins/vst2compat -o $@ $<

# The same file for Windows (README.md, "Windows"), run by
# tests/windows-memory.bats. -static: the posix compiler's libstdc++ needs
# winpthread, whose DLL no prefix holds.
WIN_MEMORY_DIR  := build/plugins/win/memory
WIN_MEMORY_VST2 := $(WIN_MEMORY_DIR)/vr-test-memory.dll
export VR_WIN_MEMORY_VST2 := $(abspath $(WIN_MEMORY_VST2))

ifneq ($(HAVE_WIN_CXX),)
TEST_PLUGINS += $(WIN_MEMORY_VST2)
test-plugins: $(WIN_MEMORY_VST2)

$(WIN_MEMORY_VST2): tests/plugins/memory/memory_vst2.cpp tests/plugins/memory/memory.mk tests/plugins/windows/vst2.def \
                    $(wildcard tests/plugins/vst2compat/pluginterfaces/vst2.x/*.h) | $(WIN_INCLUDE_STAMP)
	@mkdir -p $(@D)
	$(WIN_CXX) -std=c++17 -O2 -shared -s -static-libgcc -static-libstdc++ -Wall -Wextra -Wno-cpp \
	  -Itests/plugins/vst2compat -isystem $(WIN_INCLUDE) -o $@ $< tests/plugins/windows/vst2.def -static
endif
