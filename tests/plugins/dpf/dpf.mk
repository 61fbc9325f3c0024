# SPDX-License-Identifier: GPL-3.0-or-later
# vr-dpf-synth (README.md beside this): one source on Debian's DPF
# (dpf-source, /usr/share/dpf), built for Linux as VST2, VST3 and LV2 into
# build/plugins/dpf, and, where the cross compiler is installed
# (lib/windows/windows.mk's HAVE_WIN_CXX), for Windows as VST2 and VST3 into
# build/plugins/win. Included by plugins.mk.
#
# Whatever $(BUILD) is, never instrumented, with flags of our own (never
# the environment's): -ffp-contract=off and no -ffast-math keep every sample
# the same on both systems. One folder per format, as for the JUCE synth.

DPF_DIR      ?= /usr/share/dpf
DPF_OUT      := build/plugins/dpf
DPF_WIN_OUT  := build/plugins/win
DPF_NAME     := vr-dpf-synth

DPF_VST2     := $(DPF_OUT)/vst/$(DPF_NAME).so
DPF_VST3     := $(DPF_OUT)/vst3/$(DPF_NAME).vst3
DPF_VST3_BIN := $(DPF_VST3)/Contents/x86_64-linux/$(DPF_NAME).so
DPF_LV2      := $(DPF_OUT)/lv2/$(DPF_NAME).lv2
DPF_LV2_BIN  := $(DPF_LV2)/$(DPF_NAME).so
DPF_LV2_TTL  := $(DPF_LV2)/manifest.ttl
DPF_TTL_GEN  := $(DPF_OUT)/obj/lv2_ttl_generator
WIN_DPF_VST2     := $(DPF_WIN_OUT)/vst/$(DPF_NAME).dll
WIN_DPF_VST3     := $(DPF_WIN_OUT)/vst3/$(DPF_NAME).vst3
WIN_DPF_VST3_BIN := $(WIN_DPF_VST3)/Contents/x86_64-win/$(DPF_NAME).vst3

export VR_DPF_VST2      := $(abspath $(DPF_VST2))
export VR_DPF_VST3      := $(abspath $(DPF_VST3))
export VR_DPF_LV2       := $(abspath $(DPF_LV2))
export VR_DPF_LV2_URI   := urn:vst-render:dpf-synth
export VR_DPF_LV2_PATH  := $(abspath $(DPF_OUT)/lv2)
export VR_WIN_DPF_VST2  := $(abspath $(WIN_DPF_VST2))
export VR_WIN_DPF_VST3  := $(abspath $(WIN_DPF_VST3))

DPF_PLUGINS := $(DPF_VST2) $(DPF_VST3_BIN) $(DPF_LV2_TTL)
ifneq ($(HAVE_WIN_CXX),)
DPF_PLUGINS += $(WIN_DPF_VST2) $(WIN_DPF_VST3_BIN)
endif
TEST_PLUGINS += $(DPF_PLUGINS)
# plugins.mk's test-plugins took TEST_PLUGINS as it stood then.
test-plugins: $(DPF_PLUGINS)

DPF_SRCS  := tests/plugins/dpf/dpf_synth.cpp $(DPF_DIR)/distrho/DistrhoPluginMain.cpp
DPF_DEPS  := tests/plugins/dpf/dpf_synth.cpp tests/plugins/dpf/DistrhoPluginInfo.h tests/plugins/dpf/dpf.mk
DPF_FLAGS := -std=c++17 -O2 -ffp-contract=off -DNDEBUG -Wall -Wextra \
             -Itests/plugins/dpf -I$(DPF_DIR)/distrho
DPF_LINUX := $(DPF_FLAGS) -fPIC -shared -fvisibility=hidden -Wl,--no-undefined
# As DPF's own Makefile.base.mk builds for Windows; -static: not even
# winpthread's DLL.
DPF_WIN   := $(DPF_FLAGS) -D__STDC_FORMAT_MACROS=1 -D__USE_MINGW_ANSI_STDIO=1 -mstackrealign \
             -shared -s -static -static-libgcc -static-libstdc++

# DPF's Linux VST2 exports its entry point as `main` only (DPF names
# VSTPluginMain so with asm("main")); the version scripts are DPF's.
$(DPF_VST2): $(DPF_DEPS)
	@mkdir -p $(@D)
	$(CXX) $(DPF_LINUX) -DDISTRHO_PLUGIN_TARGET_VST2 -o $@ $(DPF_SRCS) \
	  -Wl,--version-script=$(DPF_DIR)/utils/symbols/vst2.version

$(DPF_VST3_BIN): $(DPF_DEPS)
	@mkdir -p $(@D)
	$(CXX) $(DPF_LINUX) -DDISTRHO_PLUGIN_TARGET_VST3 -o $@ $(DPF_SRCS) \
	  -Wl,--version-script=$(DPF_DIR)/utils/symbols/vst3.version

$(DPF_LV2_BIN): $(DPF_DEPS)
	@mkdir -p $(@D)
	$(CXX) $(DPF_LINUX) -DDISTRHO_PLUGIN_TARGET_LV2 -o $@ $(DPF_SRCS) \
	  -Wl,--version-script=$(DPF_DIR)/utils/symbols/lv2-dsp.version

# DPF writes the TTL from the binary (lv2_generate_ttl) with its own small
# loader, into the folder it runs in: manifest.ttl and vr-dpf-synth.ttl.
$(DPF_TTL_GEN): $(DPF_DIR)/utils/lv2-ttl-generator/lv2_ttl_generator.c
	@mkdir -p $(@D)
	$(CC) -O2 -o $@ $< -ldl

$(DPF_LV2_TTL): $(DPF_LV2_BIN) $(DPF_TTL_GEN)
	cd $(DPF_LV2) && $(abspath $(DPF_TTL_GEN)) ./$(DPF_NAME).so >/dev/null
	grep -q 'lv2:symbol "peak"' $(DPF_LV2)/$(DPF_NAME).ttl
	touch $@

$(WIN_DPF_VST2): $(DPF_DEPS)
	@mkdir -p $(@D)
	$(WIN_CXX) $(DPF_WIN) -DDISTRHO_PLUGIN_TARGET_VST2 -o $@ $(DPF_SRCS) $(DPF_DIR)/utils/symbols/vst2.def

$(WIN_DPF_VST3_BIN): $(DPF_DEPS)
	@mkdir -p $(@D)
	$(WIN_CXX) $(DPF_WIN) -DDISTRHO_PLUGIN_TARGET_VST3 -o $@ $(DPF_SRCS) $(DPF_DIR)/utils/symbols/vst3.def
