# SPDX-License-Identifier: GPL-3.0-or-later
# The Serum stand-ins (tests/plugins/README.md, "Serum stand-ins"), built
# for Windows under the real plugins' file names, in a folder of their own
# as a prefix would hold them, and first-call.exe, a bare host (JUCE's)
# without a warm-up. Included by the top Makefile after plugins.mk, which
# has read windows.mk (WIN_CC, WIN_SYNTH_INCS, WIN_CLIENT): a file of its
# own, so that changing it rebuilds nothing else.

WIN_SERUM_DIR       := $(WIN_PLUGIN_DIR)/serum
WIN_SERUM1_VST2     := $(WIN_SERUM_DIR)/Serum_x64.dll
WIN_SERUM2_VST3     := $(WIN_SERUM_DIR)/Serum2.vst3
WIN_SERUM2_VST3_BIN := $(WIN_SERUM2_VST3)/Contents/x86_64-win/Serum2.vst3
WIN_FIRST_CALL      := $(WIN_PLUGIN_DIR)/hosts/first-call.exe

export VR_WIN_SERUM1_VST2 := $(abspath $(WIN_SERUM1_VST2))
export VR_WIN_SERUM2_VST3 := $(abspath $(WIN_SERUM2_VST3))
export VR_WIN_FIRST_CALL  := $(abspath $(WIN_FIRST_CALL))

ifneq ($(HAVE_WIN_CXX),)

WIN_SERUM_BUILT := $(WIN_SERUM1_VST2) $(WIN_SERUM2_VST3_BIN) $(WIN_FIRST_CALL)
# (Serum 1's is added to TEST_PLUGINS by plain_vst2_windows, below.)
TEST_PLUGINS += $(WIN_SERUM2_VST3_BIN) $(WIN_FIRST_CALL)
test-plugins win-test-plugins: $(WIN_SERUM_BUILT)

# Their sound (standin_sound.c) is one C file for both.
WIN_STANDIN_DEPS := tests/plugins/windows/standin_sound.c tests/plugins/windows/standin_sound.h \
                    tests/plugins/windows/serum.mk

# Serum 1's: a plain VST2 instrument in C (plain_vst2.mk), zlib from
# libz-mingw-w64-dev linked in (-static: the import library libz.dll.a
# lies beside libz.a).
$(eval $(call plain_vst2_windows,$(WIN_SERUM1_VST2),tests/plugins/windows/serum1_standin.c,\
  tests/plugins/windows/standin_sound.c -static -lz,$(WIN_STANDIN_DEPS)))

# A console program on JUCE's hosts (libjuce.a), as the Windows worker is.
$(WIN_FIRST_CALL): tests/plugins/windows/first_call.cpp tests/plugins/windows/serum.mk $(WIN_JUCE_LIB) \
                   | $(WIN_INCLUDE_STAMP)
	@mkdir -p $(@D)
	$(WIN_CXX) -s -Wall -Wextra $(WIN_JUCE_DEFS) $(WIN_JUCE_INCS:-I%=-isystem %) $(WIN_CXXFLAGS) \
	  -o $@ $< $(WIN_JUCE_LIB) $(WIN_LIBS)

# Serum 2's: a JUCE plugin with JUCE's VST3 wrapper, built as the test
# synth's VST3 is (windows.mk), on an identity of its own
# (serum2_standin_config.h).
WIN_SERUM2_OBJ  := $(WIN_PLUGIN_OBJ)/serum2
WIN_SERUM2_DEFS := $(WIN_JUCE_DEFS) -DJUCE_MODULE_AVAILABLE_juce_audio_plugin_client=1 \
                   -DJUCE_APP_CONFIG_HEADER='"serum2_standin_config.h"'
WIN_SERUM2_DEPS := tests/plugins/windows/serum2_standin_config.h $(WIN_STANDIN_DEPS)
WIN_SERUM2_OBJS := $(addprefix $(WIN_SERUM2_OBJ)/,serum2_standin.o standin_sound.o client_utils.o client_vst3.o)

$(WIN_SERUM2_OBJ)/serum2_standin.o: tests/plugins/windows/serum2_standin.cpp $(WIN_SERUM2_DEPS) | $(WIN_INCLUDE_STAMP)
	@mkdir -p $(@D)
	$(WIN_CXX) -Wall -Wextra $(WIN_SERUM2_DEFS) $(WIN_SYNTH_INCS) $(WIN_CXXFLAGS) -c $< -o $@

$(WIN_SERUM2_OBJ)/standin_sound.o: tests/plugins/windows/standin_sound.c $(WIN_STANDIN_DEPS)
	@mkdir -p $(@D)
	$(WIN_CC) -std=c11 -O2 -Wall -Wextra -c $< -o $@

$(WIN_SERUM2_OBJ)/client_utils.o: $(WIN_CLIENT)_utils.cpp $(WIN_SERUM2_DEPS) | $(WIN_INCLUDE_STAMP)
	@mkdir -p $(@D)
	$(WIN_CXX) -w $(WIN_SERUM2_DEFS) $(WIN_SYNTH_INCS) $(WIN_CXXFLAGS) -c $< -o $@

$(WIN_SERUM2_OBJ)/client_vst3.o: $(WIN_CLIENT)_VST3.cpp $(WIN_SERUM2_DEPS) | $(WIN_INCLUDE_STAMP)
	@mkdir -p $(@D)
	$(WIN_CXX) -w $(WIN_SERUM2_DEFS) $(WIN_SYNTH_INCS) $(WIN_CXXFLAGS) -c $< -o $@

# Statically linked and stripped, as the test synth's VST3.
$(WIN_SERUM2_VST3_BIN): $(WIN_SERUM2_OBJS) $(WIN_JUCE_LIB)
	@mkdir -p $(@D)
	$(WIN_CXX) -shared -s $(WIN_CXXFLAGS) -o $@ $(WIN_SERUM2_OBJS) $(WIN_JUCE_LIB) $(WIN_LIBS)

endif
