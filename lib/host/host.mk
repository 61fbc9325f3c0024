# SPDX-License-Identifier: GPL-3.0-or-later
# The plugin host: JUCE 7 (Debian's juce-modules-source) compiled once into a
# static library under build/juce/, whatever $(BUILD) is (JUCE is never
# instrumented: only our code gets the sanitizers), and render-one linked
# against it. Included by the top Makefile.

JUCE_DIR     ?= /usr/share/juce/modules
JUCE_BUILD   := build/juce
JUCE_LIB     := $(JUCE_BUILD)/libjuce.a
JUCE_MODULES := juce_core juce_events juce_data_structures juce_graphics \
                juce_gui_basics juce_gui_extra juce_audio_basics juce_audio_processors
# juce_audio_processors hosts LV2 through bundled lilv/serd/sord/sratom,
# compiled from this extra unit.
JUCE_UNITS   := $(JUCE_MODULES) juce_audio_processors_lv2_libs
JUCE_OBJS    := $(JUCE_UNITS:%=$(JUCE_BUILD)/%.o)
JUCE_PKGS    := freetype2 fontconfig libpng libjpeg zlib
JUCE_PKG_CFLAGS = $(eval JUCE_PKG_CFLAGS := $$(shell pkg-config --cflags $(JUCE_PKGS)))$(JUCE_PKG_CFLAGS)
JUCE_PKG_LIBS   = $(eval JUCE_PKG_LIBS := $$(shell pkg-config --libs $(JUCE_PKGS)))$(JUCE_PKG_LIBS)

LV2_SDK := $(JUCE_DIR)/juce_audio_processors/format_types/LV2_SDK

# What every translation unit that sees JUCE must agree on.
JUCE_DEFS := -DJUCE_GLOBAL_MODULE_SETTINGS_INCLUDED=1 -DJUCE_STANDALONE_APPLICATION=1 \
             -DJUCE_DONT_DECLARE_PROJECTINFO=1 -DJUCE_DISPLAY_SPLASH_SCREEN=0 \
             -DJUCE_REPORT_APP_USAGE=0 -DJUCE_USE_CURL=0 -DJUCE_WEB_BROWSER=0 \
             -DJUCE_MODAL_LOOPS_PERMITTED=1 -DJUCE_PLUGINHOST_VST3=1 \
             -DJUCE_PLUGINHOST_LV2=1 -DJUCE_PLUGINHOST_VST=1 -DNDEBUG=1 \
             $(JUCE_MODULES:%=-DJUCE_MODULE_AVAILABLE_%=1)
JUCE_INCS := -I$(JUCE_DIR) -Ilib/host/vst2compat \
             -I$(JUCE_DIR)/juce_audio_processors/format_types/VST3_SDK \
             -I$(LV2_SDK) -I$(LV2_SDK)/lv2 -I$(LV2_SDK)/serd -I$(LV2_SDK)/sord \
             -I$(LV2_SDK)/sord/src -I$(LV2_SDK)/sratom -I$(LV2_SDK)/lilv -I$(LV2_SDK)/lilv/src
JUCE_CXXFLAGS ?= -O2
JUCE_LIBS  = $(JUCE_PKG_LIBS) -ldl -lpthread -lrt
# Faust programs (host/faust_*): Debian's libfaust, its interpreter backend,
# opened when a Faust program is first met (faust_program.cpp says why), not
# linked.

# The JUCE units see our compat headers, so they are rebuilt when those change.
JUCE_COMPAT_HEADERS := $(wildcard lib/host/vst2compat/pluginterfaces/vst2.x/*.h)

# One rule per unit: each unit lives in its module's folder.
juce_unit_src = $(JUCE_DIR)/$(if $(filter juce_audio_processors_%,$(1)),juce_audio_processors,$(1))/$(1).cpp
define juce_unit_rule
$(JUCE_BUILD)/$(1).o: $(call juce_unit_src,$(1)) $(if $(filter juce_audio_processors,$(1)),$(JUCE_COMPAT_HEADERS))
	@mkdir -p $$(@D)
	$$(CXX) -std=c++20 -w $$(JUCE_DEFS) $$(JUCE_INCS) $$(JUCE_PKG_CFLAGS) $$(JUCE_CXXFLAGS) -c $$< -o $$@
endef
$(foreach u,$(JUCE_UNITS),$(eval $(call juce_unit_rule,$(u))))

$(JUCE_LIB): $(JUCE_OBJS)
	rm -f $@
	ar rcs $@ $^

.PHONY: juce
juce: $(JUCE_LIB)

# Our host code (lib/host, the worker built on it, and the Linux process
# machinery they use): the only code of ours that includes JUCE headers.
HOST_SRCS := $(foreach d,$(HOST_DIRS),$(wildcard lib/$(d)/*.cpp))
HOST_OBJS := $(HOST_SRCS:%.cpp=$(BUILD)/obj/%.o)

# UBSan's vptr check names each dynamic type's typeinfo, and libfaust's
# classes keep theirs in libfaust, which is opened when needed, not linked.
$(BUILD)/obj/lib/host/faust_instance.o $(BUILD)/obj/lib/host/faust_program.o: VR_CXXFLAGS += -fno-sanitize=vptr
# So do a VST3 plugin's COM objects (FUnknown and the interfaces it hands
# out): their typeinfo is the plugin's own, or none, never the one our code
# was compiled with, and every call vst3_controller makes goes through them.
$(BUILD)/obj/lib/host/vst3_controller.o: VR_CXXFLAGS += -fno-sanitize=vptr

$(HOST_OBJS): $(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(VR_CXXFLAGS) -Wno-cpp $(JUCE_DEFS) $(JUCE_INCS:-I%=-isystem %) $(JUCE_PKG_CFLAGS) -MMD -MP -c $< -o $@

# render-one's host (tools/libexec/render-one-host.cpp), which render-one
# runs: in lib/vst-render/ beside bin/, in the build as installed.
# --wrap=dlsym: JUCE's lookup of a VST2 entry point goes through
# lib/linux/vst2_start.cpp first.
RENDER_HOST := $(BUILD)/lib/vst-render/render-one-host
$(RENDER_HOST): $(BUILD)/obj/tools/libexec/render-one-host.o $(HOST_OBJS) $(LIBVR) $(JUCE_LIB) lib/linux/exports.list
	@mkdir -p $(@D)
	$(CXX) $(VR_LDFLAGS) -Wl,--dynamic-list=lib/linux/exports.list -Wl,--wrap=dlsym -o $@ $(BUILD)/obj/tools/libexec/render-one-host.o $(HOST_OBJS) $(LIBVR) $(JUCE_LIB) $(PKG_LIBS) $(JUCE_LIBS)
all: $(RENDER_HOST)
$(BUILD)/bin/render-one: | $(RENDER_HOST)
-include $(BUILD)/obj/tools/libexec/render-one-host.d

# plugin-scan loads plugins as render-one does: the same objects and flags.
$(BUILD)/bin/plugin-scan: $(BUILD)/obj/tools/plugin-scan.o $(HOST_OBJS) $(LIBVR) $(JUCE_LIB) lib/linux/exports.list
	@mkdir -p $(@D)
	$(CXX) $(VR_LDFLAGS) -Wl,--dynamic-list=lib/linux/exports.list -Wl,--wrap=dlsym -o $@ $(BUILD)/obj/tools/plugin-scan.o $(HOST_OBJS) $(LIBVR) $(JUCE_LIB) $(PKG_LIBS) $(JUCE_LIBS)

-include $(HOST_OBJS:.o=.d)

# A test helper (tests/tools/audio-probe.cpp) that reads audio files through
# lib/ for tests/render-one.bats; built whenever render-one is.
AUDIO_PROBE := $(BUILD)/tests/audio-probe
$(AUDIO_PROBE): $(BUILD)/obj/tests/tools/audio-probe.o $(LIBVR)
	@mkdir -p $(@D)
	$(CXX) $(VR_LDFLAGS) -o $@ $^ $(PKG_LIBS)
$(BUILD)/bin/render-one: | $(AUDIO_PROBE)
-include $(BUILD)/obj/tests/tools/audio-probe.d
