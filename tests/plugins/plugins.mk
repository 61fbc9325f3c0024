# SPDX-License-Identifier: GPL-3.0-or-later
# The test instrument vr-test-synth (tests/plugins/README.md), built with
# CMake and Debian's JUCE. Included by the top Makefile.
#
# Always into build/plugins, whatever $(BUILD) is: the sanitizer build
# reuses these artefacts, and JUCE's code stays uninstrumented (so the
# compiler flags of the environment are not handed to CMake either).

PLUGIN_DIR       := build/plugins
PLUGIN_CMAKE_DIR := $(PLUGIN_DIR)/cmake
PLUGIN_PRODUCTS  := $(PLUGIN_CMAKE_DIR)/vr_test_synth_artefacts/Release

# One folder per format, so that each can be a search path of its own
# (LV2_PATH=build/plugins/lv2 finds nothing but LV2 bundles).
TEST_SYNTH_VST3  := $(PLUGIN_DIR)/vst3/vr-test-synth.vst3
TEST_SYNTH_LV2   := $(PLUGIN_DIR)/lv2/vr-test-synth.lv2
TEST_SYNTH_VST2  := $(PLUGIN_DIR)/vst/vr-test-synth.so
TEST_SYNTH_STAMP := $(PLUGIN_DIR)/vr-test-synth.stamp
# The same binary, its TTL written with VR_TEST_SYNTH_OPTIONAL_BUS=1: output
# ports lv2:connectionOptional, as JUCE writes for a bus not enabled by
# default. A folder of its own, as it has the same URI.
TEST_SYNTH_LV2_OPTIONAL := $(PLUGIN_DIR)/lv2-optional/vr-test-synth.lv2
# The same binary beside a file named `effect`, which makes it the effect
# variant (a stereo main input): its TTL then has audio input ports. In LV2
# the bundle decides, as the port numbers follow the channels.
TEST_SYNTH_LV2_EFFECT := $(PLUGIN_DIR)/lv2-effect/vr-test-synth.lv2
# The same binary beside a file named `sidechain`: the effect plus a second
# stereo input bus, not enabled by default (ports connectionOptional).
TEST_SYNTH_LV2_SIDECHAIN := $(PLUGIN_DIR)/lv2-sidechain/vr-test-synth.lv2

# Bundles are folders, whose times say little about their contents: make
# tracks the stamp, written only after every artefact is in place.
TEST_PLUGINS := $(TEST_SYNTH_STAMP)

# What the tests read (the bats recipe inherits them).
export VR_TEST_SYNTH_VST3    := $(abspath $(TEST_SYNTH_VST3))
export VR_TEST_SYNTH_LV2     := $(abspath $(TEST_SYNTH_LV2))
export VR_TEST_SYNTH_LV2_URI := urn:vst-render:test-synth
export VR_TEST_SYNTH_VST2    := $(abspath $(TEST_SYNTH_VST2))
export VR_TEST_LV2_PATH      := $(abspath $(PLUGIN_DIR)/lv2)
export VR_TEST_SYNTH_LV2_OPTIONAL := $(abspath $(TEST_SYNTH_LV2_OPTIONAL))
export VR_TEST_SYNTH_LV2_EFFECT   := $(abspath $(TEST_SYNTH_LV2_EFFECT))
export VR_TEST_SYNTH_LV2_SIDECHAIN := $(abspath $(TEST_SYNTH_LV2_SIDECHAIN))

TEST_SYNTH_SRCS := $(wildcard tests/plugins/*.cpp tests/plugins/*.hpp \
                              tests/plugins/vst2compat/pluginterfaces/vst2.x/*.h) \
                   tests/plugins/CMakeLists.txt tests/plugins/plugins.mk

# JUCE's CMake config warns about the URN (it wants http); nothing else.
# The variants' TTLs come from JUCE's own helper (which writes the TTL of
# the library it is given, beside it), run with the variable set, or the
# marker in place: no second build. The greps make sure each TTL says what
# the tests rely on (JUCE marks its latency and switch ports
# connectionOptional too, on other lines).
$(TEST_SYNTH_STAMP): $(TEST_SYNTH_SRCS)
	@mkdir -p $(PLUGIN_DIR)/vst3 $(PLUGIN_DIR)/lv2 $(PLUGIN_DIR)/vst $(PLUGIN_DIR)/lv2-optional \
	  $(PLUGIN_DIR)/lv2-effect $(PLUGIN_DIR)/lv2-sidechain
	env -u CFLAGS -u CXXFLAGS -u LDFLAGS -u CPPFLAGS \
	  cmake -S tests/plugins -B $(PLUGIN_CMAKE_DIR) -DCMAKE_BUILD_TYPE=Release \
	    -DVR_TEST_SYNTH_VST2=ON -Wno-dev
	env -u MAKEFLAGS -u MFLAGS -u VR_TEST_SYNTH_OPTIONAL_BUS \
	  cmake --build $(PLUGIN_CMAKE_DIR) --config Release -j2
	rm -rf $(TEST_SYNTH_VST3) $(TEST_SYNTH_LV2) $(TEST_SYNTH_VST2) $(TEST_SYNTH_LV2_OPTIONAL) \
	  $(TEST_SYNTH_LV2_EFFECT) $(TEST_SYNTH_LV2_SIDECHAIN)
	cp -R $(PLUGIN_PRODUCTS)/VST3/vr-test-synth.vst3 $(TEST_SYNTH_VST3)
	cp -R $(PLUGIN_PRODUCTS)/LV2/vr-test-synth.lv2 $(TEST_SYNTH_LV2)
	cp $(PLUGIN_PRODUCTS)/VST/libvr-test-synth.so $(TEST_SYNTH_VST2)
	mkdir $(TEST_SYNTH_LV2_OPTIONAL)
	cp $(TEST_SYNTH_LV2)/libvr-test-synth.so $(TEST_SYNTH_LV2_OPTIONAL)/
	env -u VR_TEST_SYNTH_PRINT VR_TEST_SYNTH_OPTIONAL_BUS=1 \
	  $(PLUGIN_CMAKE_DIR)/juce_lv2_helper $(abspath $(TEST_SYNTH_LV2_OPTIONAL))/libvr-test-synth.so
	grep -q 'lv2:portProperty lv2:connectionOptional ;' $(TEST_SYNTH_LV2_OPTIONAL)/dsp.ttl
	mkdir $(TEST_SYNTH_LV2_EFFECT)
	cp $(TEST_SYNTH_LV2)/libvr-test-synth.so $(TEST_SYNTH_LV2_EFFECT)/
	touch $(TEST_SYNTH_LV2_EFFECT)/effect
	env -u VR_TEST_SYNTH_PRINT -u VR_TEST_SYNTH_OPTIONAL_BUS \
	  $(PLUGIN_CMAKE_DIR)/juce_lv2_helper $(abspath $(TEST_SYNTH_LV2_EFFECT))/libvr-test-synth.so
	grep -q 'lv2:symbol "audio_in_2" ;' $(TEST_SYNTH_LV2_EFFECT)/dsp.ttl
	mkdir $(TEST_SYNTH_LV2_SIDECHAIN)
	cp $(TEST_SYNTH_LV2)/libvr-test-synth.so $(TEST_SYNTH_LV2_SIDECHAIN)/
	touch $(TEST_SYNTH_LV2_SIDECHAIN)/sidechain
	env -u VR_TEST_SYNTH_PRINT -u VR_TEST_SYNTH_OPTIONAL_BUS \
	  $(PLUGIN_CMAKE_DIR)/juce_lv2_helper $(abspath $(TEST_SYNTH_LV2_SIDECHAIN))/libvr-test-synth.so
	grep -q 'lv2:symbol "audio_in_4" ;' $(TEST_SYNTH_LV2_SIDECHAIN)/dsp.ttl
	grep -q 'pg:group plug:input_group_2 ;' $(TEST_SYNTH_LV2_SIDECHAIN)/dsp.ttl
	touch $@

.PHONY: test-plugins
test-plugins: $(TEST_PLUGINS)

# The hostile instrument of tests/sandbox.bats (one C file, no JUCE).
-include tests/plugins/hostile/hostile.mk
# The JUCE 5 start-up's stand-in (juce5_start/README.md).
-include tests/plugins/juce5_start/juce5_start.mk
# The instrument that ends its process without a display, as JUCE 5's VST2
# builds do (tests/linux-display.bats; one C file, libX11).
-include tests/plugins/needs_display/needs_display.mk
# The instrument that takes DX7 voice dumps over MIDI SysEx, as Dexed does
# (tests/dx7-sysex.bats; one C++ file).
-include tests/plugins/dx7_voice/dx7_voice.mk
# The DPF instrument, for Linux and Windows (tests/plugins/dpf/README.md).
-include tests/plugins/dpf/dpf.mk
# The Windows test plugins (tests/plugins/README.md, "Windows builds").
-include tests/plugins/windows/windows.mk
