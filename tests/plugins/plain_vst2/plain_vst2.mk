# SPDX-License-Identifier: GPL-3.0-or-later
# How a plain VST2 instrument (one C or C++ file on plain_vst2.h and fst's
# header, no JUCE: tests/plugins/README.md, "Plain VST2 instruments") is
# built, for Linux and for Windows. Included by plugins.mk before the
# fragments that call it.
#
# Always into build/plugins, whatever $(BUILD) is, and with flags of their
# own (never the environment's CFLAGS or CXXFLAGS): the sanitizer build
# hosts the same uninstrumented plugins. The source's extension says the
# language: .c is C11, .cpp C++20. -Wno-cpp: fst.h's own #warning lines,
# about its names, not our code. Each plugin depends on the fragment that
# calls the function (the one being read when it is called).

PLAIN_VST2_DEPS  := tests/plugins/plain_vst2/plain_vst2.h tests/plugins/plain_vst2/plain_vst2.mk \
                    $(wildcard tests/plugins/vst2compat/pluginterfaces/vst2.x/*.h)
PLAIN_VST2_FLAGS := -O2 -shared -Wall -Wextra -Wno-cpp -Itests/plugins/plain_vst2 -Itests/plugins/vst2compat

# $(eval $(call plain_vst2_linux,OUT,SOURCE,REST)): builds the Linux
# plugin OUT from SOURCE, REST ending the command line (libraries), and
# adds it to TEST_PLUGINS and test-plugins. Only VSTPluginMain is exported
# (-fvisibility=hidden); C++ links the shared libstdc++, as a plugin built
# by a distribution does.
define plain_vst2_linux
TEST_PLUGINS += $1
# plugins.mk's test-plugins took TEST_PLUGINS as it stood then.
test-plugins: $1
$1: $2 $(lastword $(MAKEFILE_LIST)) $$(PLAIN_VST2_DEPS)
	@mkdir -p $$(@D)
	$(if $(filter %.c,$2),$$(CC) -std=c11,$$(CXX) -std=c++20) $$(PLAIN_VST2_FLAGS) -fPIC -fvisibility=hidden \
	  -o $$@ $$< $3
endef

# $(eval $(call plain_vst2_windows,OUT,SOURCE,REST,DEPS)): the same for
# Windows with mingw-w64 (lib/windows/windows.mk's WIN_CXX,
# windows/windows.mk's WIN_CC), where the cross compiler is: the DLL OUT
# exports VSTPluginMain and main (windows/vst2.def), imports no libgcc (nor
# libstdc++) DLL, and is stripped. REST ends the command line (flags, more
# sources, libraries), DEPS are more prerequisites. The caller exports
# OUT's path either way, so a test can say the plugin is missing.
define plain_vst2_windows
ifneq ($$(HAVE_WIN_CXX),)
TEST_PLUGINS += $1
test-plugins: $1
$1: $2 $(lastword $(MAKEFILE_LIST)) tests/plugins/windows/vst2.def $$(PLAIN_VST2_DEPS) $4 | $$(WIN_INCLUDE_STAMP)
	@mkdir -p $$(@D)
	$(if $(filter %.c,$2),$$(WIN_CC) -std=c11,$$(WIN_CXX) -std=c++20 -static-libstdc++) $$(PLAIN_VST2_FLAGS) \
	  -s -static-libgcc -isystem $$(WIN_INCLUDE) -o $$@ $$< tests/plugins/windows/vst2.def $3
endif
endef
