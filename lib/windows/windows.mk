# SPDX-License-Identifier: GPL-3.0-or-later
# What is built for Windows: JUCE 7 (Debian's juce-modules-source) compiled
# once with Debian's mingw-w64 into build/win/juce/, shared by the Windows
# worker (vr-win-worker.exe, below) and the Windows test plugins
# (tests/plugins/windows/). Never instrumented, whatever $(BUILD) is: a
# mingw build carries no sanitizers, and a SANITIZE build never rebuilds it.
# Built only where the cross compiler is installed. Included by the top
# Makefile.

WIN_CXX      ?= x86_64-w64-mingw32-g++-posix
WIN_BUILD    := build/win
HAVE_WIN_CXX := $(shell command -v $(WIN_CXX) 2>/dev/null)

WIN_INCLUDE    := $(WIN_BUILD)/include
WIN_INCLUDE_STAMP := $(WIN_INCLUDE)/.stamp
WIN_JUCE_BUILD := $(WIN_BUILD)/juce
WIN_JUCE_LIB   := $(WIN_JUCE_BUILD)/libjuce.a
# juce_graphics is compiled from a copy in which our stubs stand in for the
# PNG and JPEG loaders (lib/windows/juce_image_stubs.cpp says why).
WIN_JUCE_COPY  := $(WIN_JUCE_BUILD)/modules
WIN_JUCE_MODULES := juce_core juce_events juce_data_structures juce_graphics \
                    juce_gui_basics juce_gui_extra juce_audio_basics juce_audio_processors
WIN_JUCE_OBJS  := $(WIN_JUCE_MODULES:%=$(WIN_JUCE_BUILD)/%.o)

# What every Windows unit that sees JUCE agrees on: the Linux host's
# settings (lib/host/host.mk) without LV2, zlib from libz-mingw-w64-dev.
WIN_JUCE_DEFS := -DJUCE_GLOBAL_MODULE_SETTINGS_INCLUDED=1 -DJUCE_STANDALONE_APPLICATION=1 \
                 -DJUCE_DONT_DECLARE_PROJECTINFO=1 -DJUCE_DISPLAY_SPLASH_SCREEN=0 \
                 -DJUCE_REPORT_APP_USAGE=0 -DJUCE_USE_CURL=0 -DJUCE_WEB_BROWSER=0 \
                 -DJUCE_MODAL_LOOPS_PERMITTED=1 -DJUCE_PLUGINHOST_VST3=1 -DJUCE_PLUGINHOST_VST=1 \
                 -DJUCE_PLUGINHOST_LV2=0 -DJUCE_INCLUDE_ZLIB_CODE=0 -DJUCE_USE_WINRT_MIDI=0 \
                 -DJUCE_ASIO=0 -DJUCE_WASAPI=0 -DJUCE_DIRECTSOUND=0 \
                 -DNDEBUG=1 -D_WIN32_WINNT=0x0601 -DWINVER=0x0601 -DNOMINMAX=1 -DUNICODE=1 -D_UNICODE=1 \
                 $(WIN_JUCE_MODULES:%=-DJUCE_MODULE_AVAILABLE_%=1)
WIN_JUCE_INCS := -I$(WIN_JUCE_COPY) -I$(JUCE_DIR) -Ilib/host/vst2compat \
                 -I$(JUCE_DIR)/juce_audio_processors/format_types/VST3_SDK -I$(WIN_INCLUDE)
WIN_CXXFLAGS  := -std=c++20 -O2 -mxsave -static-libgcc -static-libstdc++
# Statically linked: no DLL of ours beside the executable.
WIN_LIBS := -static -lz -lole32 -loleaut32 -luuid -lwinmm -lws2_32 -lversion -lshlwapi -limm32 \
            -lcomdlg32 -lgdi32 -luser32 -ladvapi32 -lshell32 -lrpcrt4 -lwininet -lcomctl32 \
            -ldwmapi -luxtheme -ldxgi -ld2d1 -ldwrite -lopengl32

# The few header-only Linux packages the Windows build reads (fst-dev's
# VST2 header, nlohmann's JSON), each linked alone into a folder of its own:
# /usr/include as a whole would bring glibc's headers into a mingw build.
$(WIN_INCLUDE_STAMP):
	@mkdir -p $(WIN_INCLUDE)/pluginterfaces
	ln -sfn /usr/include/pluginterfaces/fst $(WIN_INCLUDE)/pluginterfaces/fst
	ln -sfn /usr/include/nlohmann $(WIN_INCLUDE)/nlohmann
	touch $@

$(WIN_JUCE_COPY)/juce_graphics/juce_graphics.cpp: lib/windows/juce_image_stubs.cpp | $(WIN_INCLUDE_STAMP)
	rm -rf $(WIN_JUCE_COPY)/juce_graphics
	@mkdir -p $(WIN_JUCE_COPY)
	cp -R $(JUCE_DIR)/juce_graphics $(WIN_JUCE_COPY)/juce_graphics
	cp lib/windows/juce_image_stubs.cpp $(WIN_JUCE_COPY)/juce_graphics/image_formats/juce_PNGLoader.cpp
	: > $(WIN_JUCE_COPY)/juce_graphics/image_formats/juce_JPEGLoader.cpp
	touch $@

win_juce_src = $(if $(filter juce_graphics,$(1)),$(WIN_JUCE_COPY),$(JUCE_DIR))/$(1)/$(1).cpp
define win_juce_unit_rule
$(WIN_JUCE_BUILD)/$(1).o: $(call win_juce_src,$(1)) | $(WIN_JUCE_COPY)/juce_graphics/juce_graphics.cpp $(WIN_INCLUDE_STAMP)
	@mkdir -p $$(@D)
	$$(WIN_CXX) -w $$(WIN_JUCE_DEFS) $$(WIN_JUCE_INCS) $$(WIN_CXXFLAGS) -c $$< -o $$@
endef
$(foreach u,$(WIN_JUCE_MODULES),$(eval $(call win_juce_unit_rule,$(u))))

$(WIN_JUCE_LIB): $(WIN_JUCE_OBJS)
	rm -f $@
	x86_64-w64-mingw32-ar rcs $@ $^

.PHONY: win-juce
win-juce: $(WIN_JUCE_LIB)

# The Windows worker: our JUCE host (lib/host, built for both systems but
# Faust), what it needs of lib/, and lib/windows, linked statically.
WIN_WORKER      := $(WIN_BUILD)/vr-win-worker.exe
WIN_WORKER_SRCS := tools/windows/vr-win-worker.cpp $(wildcard lib/windows/*.cpp) \
                   $(filter-out lib/host/faust_% lib/host/sanitizer_options.cpp,$(wildcard lib/host/*.cpp)) \
                   lib/core/text.cpp lib/core/size_classes.cpp lib/jobs/automation.cpp lib/midi/play_plan.cpp lib/midi/transport.cpp \
                   lib/presets/fxp.cpp lib/presets/juce_state.cpp lib/presets/vstpreset.cpp \
                   lib/presets/detect.cpp lib/presets/preset_fit.cpp lib/presets/lv2_state.cpp \
                   lib/presets/utf8_char.cpp
WIN_WORKER_SRCS := $(filter-out lib/windows/juce_image_stubs.cpp,$(WIN_WORKER_SRCS))
WIN_WORKER_OBJS := $(WIN_WORKER_SRCS:%.cpp=$(WIN_BUILD)/obj/%.o)

$(WIN_WORKER_OBJS): $(WIN_BUILD)/obj/%.o: %.cpp | $(WIN_INCLUDE_STAMP)
	@mkdir -p $(@D)
	$(WIN_CXX) -Wall -Wextra -Wno-missing-field-initializers -Wno-cpp -Ilib -DVR_VERSION='"$(VERSION)"' \
	  $(WIN_JUCE_DEFS) $(WIN_JUCE_INCS:-I%=-isystem %) $(WIN_CXXFLAGS) -MMD -MP -c $< -o $@

$(WIN_WORKER): $(WIN_WORKER_OBJS) $(WIN_JUCE_LIB)
	$(WIN_CXX) $(WIN_CXXFLAGS) -o $@ $(WIN_WORKER_OBJS) $(WIN_JUCE_LIB) $(WIN_LIBS)

-include $(WIN_WORKER_OBJS:.o=.d)

.PHONY: win-worker
win-worker: $(WIN_WORKER)

# render-one finds the worker of the build tree it was built in.
$(BUILD)/obj/lib/wine/wine_paths.o: VR_CXXFLAGS += -DVR_WIN_WORKER_BUILT='"$(abspath $(WIN_WORKER))"'
ifneq ($(HAVE_WIN_CXX),)
ifeq ($(strip $(SANITIZE)),)
all: $(WIN_WORKER)
endif
endif
