# SPDX-License-Identifier: GPL-3.0-or-later
# The Windows test plugins (tests/plugins/README.md, "Windows builds"):
# vr-test-synth cross-compiled as a VST2 DLL and a VST3 bundle on the one
# libjuce.a of lib/windows/windows.mk, and small C DLLs that crash, hang,
# cannot load, write into their prefix or need a window (all but
# no-entry.dll plain VST2 instruments). Included by plugins.mk, after the
# top Makefile has read lib/windows/windows.mk (WIN_CXX, WIN_JUCE_*,
# WIN_INCLUDE) and tests/plugins/plain_vst2/plain_vst2.mk
# (plain_vst2_windows, PLAIN_VST2_FLAGS, PLAIN_VST2_DEPS).
#
# Into build/plugins/win whatever $(BUILD) is, never instrumented, with
# flags of their own. Built only where the cross compiler is installed; the
# paths are exported either way, so a test can skip on a missing file.

WIN_PLUGIN_DIR := build/plugins/win
WIN_PLUGIN_OBJ := $(WIN_PLUGIN_DIR)/obj
WIN_FAULT_DIR  := $(WIN_PLUGIN_DIR)/faults

WIN_SYNTH_VST2     := $(WIN_PLUGIN_DIR)/vst/vr-test-synth.dll
WIN_SYNTH_VST3     := $(WIN_PLUGIN_DIR)/vst3/vr-test-synth.vst3
WIN_SYNTH_VST3_BIN := $(WIN_SYNTH_VST3)/Contents/x86_64-win/vr-test-synth.vst3
WIN_CRASH_VST2     := $(WIN_FAULT_DIR)/crash.dll
WIN_HANG_VST2      := $(WIN_FAULT_DIR)/hang.dll
WIN32_VST2         := $(WIN_FAULT_DIR)/win32.dll
WIN_NEEDS_MSVC     := $(WIN_FAULT_DIR)/needs-msvc.dll
WIN_NEEDS_MFC      := $(WIN_FAULT_DIR)/needs-mfc.dll
WIN_NO_ENTRY       := $(WIN_FAULT_DIR)/no-entry.dll
WIN_WRITES_PREFIX  := $(WIN_FAULT_DIR)/writes-prefix.dll
WIN_NEEDS_WINDOW   := $(WIN_FAULT_DIR)/needs-window.dll

export VR_WIN_SYNTH_VST2       := $(abspath $(WIN_SYNTH_VST2))
export VR_WIN_SYNTH_VST3       := $(abspath $(WIN_SYNTH_VST3))
export VR_WIN_CRASH_VST2       := $(abspath $(WIN_CRASH_VST2))
export VR_WIN_HANG_VST2        := $(abspath $(WIN_HANG_VST2))
export VR_WIN32_VST2           := $(abspath $(WIN32_VST2))
export VR_WIN_NEEDS_MSVC_VST2  := $(abspath $(WIN_NEEDS_MSVC))
export VR_WIN_NEEDS_MFC_VST2   := $(abspath $(WIN_NEEDS_MFC))
export VR_WIN_NO_ENTRY_DLL     := $(abspath $(WIN_NO_ENTRY))
export VR_WIN_WRITES_PREFIX_VST2 := $(abspath $(WIN_WRITES_PREFIX))
export VR_WIN_NEEDS_WINDOW_VST2  := $(abspath $(WIN_NEEDS_WINDOW))

ifneq ($(HAVE_WIN_CXX),)

WIN_CC      ?= x86_64-w64-mingw32-gcc
WIN32_CC    ?= i686-w64-mingw32-gcc
WIN_DLLTOOL ?= x86_64-w64-mingw32-dlltool

# The plain VST2 builds are added to TEST_PLUGINS by plain_vst2_windows,
# below.
WIN_PLAIN_VST2 := $(WIN_CRASH_VST2) $(WIN_HANG_VST2) $(WIN_NEEDS_MSVC) $(WIN_NEEDS_MFC) \
                  $(WIN_WRITES_PREFIX) $(WIN_NEEDS_WINDOW)
WIN_PLUGINS := $(WIN_SYNTH_VST2) $(WIN_SYNTH_VST3_BIN) $(WIN32_VST2) $(WIN_NO_ENTRY) $(WIN_PLAIN_VST2)
TEST_PLUGINS += $(filter-out $(WIN_PLAIN_VST2),$(WIN_PLUGINS))
# plugins.mk's test-plugins took TEST_PLUGINS as it stood then.
test-plugins: $(WIN_PLUGINS)
.PHONY: win-test-plugins
win-test-plugins: $(WIN_PLUGINS)

# --- vr-test-synth: the Linux build's sources and identity ----------------
# Our files see vr_test_synth_config.h (JucePlugin_*) through JUCE's own
# hook; JUCE's headers are system headers to them, so -Wall speaks of ours.
# The wrappers get JUCE's settings as libjuce.a has them (JUCE_PLUGINHOST_VST3
# too: the VST3 wrapper then takes the SDK's code from libjuce.a rather than
# compiling a second copy), each only its own format, as CMake does.
WIN_SYNTH_OBJ  := $(WIN_PLUGIN_OBJ)/synth
WIN_SYNTH_OURS := $(addprefix $(WIN_SYNTH_OBJ)/,test_synth.o synth_voices.o synth_state.o synth_text_state.o synth_faults.o \
                                             synth_play_head.o synth_random.o synth_editor.o)
WIN_SYNTH_DEFS := $(WIN_JUCE_DEFS) -DJUCE_MODULE_AVAILABLE_juce_audio_plugin_client=1 \
                  -DJUCE_APP_CONFIG_HEADER='"vr_test_synth_config.h"'
WIN_SYNTH_INCS := -Itests/plugins/windows -Itests/plugins/vst2compat $(WIN_JUCE_INCS:-I%=-isystem %)
WIN_SYNTH_DEPS := $(wildcard tests/plugins/*.hpp tests/plugins/vst2compat/pluginterfaces/vst2.x/*.h) \
                  tests/plugins/windows/vr_test_synth_config.h tests/plugins/windows/windows.mk
WIN_CLIENT     := $(JUCE_DIR)/juce_audio_plugin_client/juce_audio_plugin_client

$(WIN_SYNTH_OURS): $(WIN_SYNTH_OBJ)/%.o: tests/plugins/%.cpp $(WIN_SYNTH_DEPS) | $(WIN_INCLUDE_STAMP)
	@mkdir -p $(@D)
	$(WIN_CXX) -Wall -Wextra $(WIN_SYNTH_DEFS) $(WIN_SYNTH_INCS) $(WIN_CXXFLAGS) -c $< -o $@

$(WIN_SYNTH_OBJ)/client_utils.o: $(WIN_CLIENT)_utils.cpp $(WIN_SYNTH_DEPS) | $(WIN_INCLUDE_STAMP)
	@mkdir -p $(@D)
	$(WIN_CXX) -w $(WIN_SYNTH_DEFS) $(WIN_SYNTH_INCS) $(WIN_CXXFLAGS) -c $< -o $@

$(WIN_SYNTH_OBJ)/client_vst2.o: $(WIN_CLIENT)_VST2.cpp $(WIN_SYNTH_DEPS) | $(WIN_INCLUDE_STAMP)
	@mkdir -p $(@D)
	$(WIN_CXX) -w $(WIN_SYNTH_DEFS) -DJucePlugin_Build_VST3=0 $(WIN_SYNTH_INCS) $(WIN_CXXFLAGS) -c $< -o $@

$(WIN_SYNTH_OBJ)/client_vst3.o: $(WIN_CLIENT)_VST3.cpp $(WIN_SYNTH_DEPS) | $(WIN_INCLUDE_STAMP)
	@mkdir -p $(@D)
	$(WIN_CXX) -w $(WIN_SYNTH_DEFS) -DJucePlugin_Build_VST=0 $(WIN_SYNTH_INCS) $(WIN_CXXFLAGS) -c $< -o $@

# Statically linked (WIN_LIBS starts with -static): nothing but Windows'
# own DLLs in the import table. Stripped: the symbols would be 10x the code.
$(WIN_SYNTH_VST2): $(WIN_SYNTH_OURS) $(WIN_SYNTH_OBJ)/client_utils.o $(WIN_SYNTH_OBJ)/client_vst2.o $(WIN_JUCE_LIB)
	@mkdir -p $(@D)
	$(WIN_CXX) -shared -s $(WIN_CXXFLAGS) -o $@ $(filter %.o,$^) $(WIN_JUCE_LIB) $(WIN_LIBS)

$(WIN_SYNTH_VST3_BIN): $(WIN_SYNTH_OURS) $(WIN_SYNTH_OBJ)/client_utils.o $(WIN_SYNTH_OBJ)/client_vst3.o $(WIN_JUCE_LIB)
	@mkdir -p $(@D)
	$(WIN_CXX) -shared -s $(WIN_CXXFLAGS) -o $@ $(filter %.o,$^) $(WIN_JUCE_LIB) $(WIN_LIBS)

# --- the C plugins (no JUCE) ---------------------------------------------
# vst2_instrument.c is a plain VST2 instrument (plain_vst2.h), built by
# plain_vst2.mk's plain_vst2_windows, which exports the entry point as
# VSTPluginMain and main (vst2.def) and links -static-libgcc: kernel32 and
# msvcrt the only imports (and, for the two that need them, the Visual C++
# runtime's DLLs, from import libraries made here). Each build's defines
# are a variable, for the commas in CCONST.
WIN_C_SRC := tests/plugins/windows/vst2_instrument.c

WIN_CRASH_DEFS := -DVR_FAULT=1 -DVR_PLUGIN_NAME='"vr-win-crash"' -DVR_UNIQUE_ID="CCONST('V','r','W','c')"
$(eval $(call plain_vst2_windows,$(WIN_CRASH_VST2),$(WIN_C_SRC),$(WIN_CRASH_DEFS)))

WIN_HANG_DEFS := -DVR_FAULT=2 -DVR_PLUGIN_NAME='"vr-win-hang"' -DVR_UNIQUE_ID="CCONST('V','r','W','h')"
$(eval $(call plain_vst2_windows,$(WIN_HANG_VST2),$(WIN_C_SRC),$(WIN_HANG_DEFS)))

# The i686 build has a compiler of its own, so a rule of its own, with
# plain_vst2.mk's flags.
$(WIN32_VST2): $(WIN_C_SRC) tests/plugins/windows/vst2.def tests/plugins/windows/windows.mk $(PLAIN_VST2_DEPS) \
               | $(WIN_INCLUDE_STAMP)
	@mkdir -p $(@D)
	$(WIN32_CC) -std=c11 $(PLAIN_VST2_FLAGS) -s -static-libgcc -isystem $(WIN_INCLUDE) \
	  -DVR_PLUGIN_NAME='"vr-win32"' -DVR_UNIQUE_ID="CCONST('V','r','W','3')" \
	  -o $@ $(WIN_C_SRC) tests/plugins/windows/vst2.def

$(WIN_PLUGIN_OBJ)/lib%.a: tests/plugins/windows/%.def
	@mkdir -p $(@D)
	$(WIN_DLLTOOL) -d $< -l $@

WIN_MSVC_LIBS := $(WIN_PLUGIN_OBJ)/libmsvcp140.a $(WIN_PLUGIN_OBJ)/libvcruntime140.a

WIN_NEEDS_MSVC_DEFS := -DVR_NEEDS_MSVC=1 -DVR_PLUGIN_NAME='"vr-win-needs-msvc"' \
                       -DVR_UNIQUE_ID="CCONST('V','r','W','m')"
$(eval $(call plain_vst2_windows,$(WIN_NEEDS_MSVC),$(WIN_C_SRC),\
  $(WIN_NEEDS_MSVC_DEFS) tests/plugins/windows/needs_msvc.c $(WIN_MSVC_LIBS),\
  tests/plugins/windows/needs_msvc.c $(WIN_MSVC_LIBS)))

WIN_NEEDS_MFC_DEFS := -DVR_NEEDS_MSVC=1 -DVR_NEEDS_MFC=1 -DVR_PLUGIN_NAME='"vr-win-needs-mfc"' \
                      -DVR_UNIQUE_ID="CCONST('V','r','W','f')"
$(eval $(call plain_vst2_windows,$(WIN_NEEDS_MFC),$(WIN_C_SRC),\
  $(WIN_NEEDS_MFC_DEFS) tests/plugins/windows/needs_msvc.c $(WIN_MSVC_LIBS) $(WIN_PLUGIN_OBJ)/libmfc140u.a,\
  tests/plugins/windows/needs_msvc.c $(WIN_MSVC_LIBS) $(WIN_PLUGIN_OBJ)/libmfc140u.a))

WIN_WRITES_PREFIX_DEFS := -DVR_WRITES_PREFIX=1 -DVR_PLUGIN_NAME='"vr-win-writes-prefix"' \
                          -DVR_UNIQUE_ID="CCONST('V','r','W','w')"
$(eval $(call plain_vst2_windows,$(WIN_WRITES_PREFIX),$(WIN_C_SRC),$(WIN_WRITES_PREFIX_DEFS) -ladvapi32))

WIN_NEEDS_WINDOW_DEFS := -DVR_NEEDS_WINDOW=1 -DVR_PLUGIN_NAME='"vr-win-needs-window"' \
                         -DVR_UNIQUE_ID="CCONST('V','r','W','x')"
$(eval $(call plain_vst2_windows,$(WIN_NEEDS_WINDOW),$(WIN_C_SRC),$(WIN_NEEDS_WINDOW_DEFS) -luser32))

$(WIN_NO_ENTRY): tests/plugins/windows/no_entry.c tests/plugins/windows/windows.mk
	@mkdir -p $(@D)
	$(WIN_CC) -std=c11 -O2 -shared -s -static-libgcc -Wall -Wextra -o $@ $<

endif
