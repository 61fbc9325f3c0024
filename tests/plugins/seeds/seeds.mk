# SPDX-License-Identifier: GPL-3.0-or-later
# The test instrument vr-test-seeds (tests/plugins/seeds/README.md): one C
# file, no JUCE. Included by the top Makefile, after plugins.mk.
#
# Always into build/plugins, whatever $(BUILD) is, and with flags of its own
# (never the environment's CFLAGS): the sanitizer build hosts the same
# uninstrumented plugin.

TEST_SEEDS_VST2 := build/plugins/seeds/vr-test-seeds.so

TEST_PLUGINS += $(TEST_SEEDS_VST2)
# plugins.mk's test-plugins took TEST_PLUGINS as it stood then.
test-plugins: $(TEST_SEEDS_VST2)

export VR_TEST_SEEDS_VST2 := $(abspath $(TEST_SEEDS_VST2))

# -Wno-cpp: fst.h's own #warning lines, about its names, not our code.
$(TEST_SEEDS_VST2): tests/plugins/seeds/seeds_vst2.c tests/plugins/seeds/seeds.mk \
                    $(wildcard tests/plugins/vst2compat/pluginterfaces/vst2.x/*.h)
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -fPIC -shared -fvisibility=hidden -Wall -Wextra -Wno-cpp \
	  -Itests/plugins/vst2compat -o $@ $<

# The same file built for Windows (README.md, "Windows"), like the C plugins
# of tests/plugins/windows/windows.mk (read before this file): its notes
# draw from the C runtimes' and Windows' sources through their DLLs; the
# import libraries for the imports under names of ours (one delay-loaded)
# come from the seeds_win_*.def files. The path is exported either way, so a test can
# say the plugin is missing.
WIN_SEEDS_DIR  := build/plugins/win/seeds
WIN_SEEDS_VST2 := $(WIN_SEEDS_DIR)/vr-test-seeds.dll
export VR_WIN_SEEDS_VST2 := $(abspath $(WIN_SEEDS_VST2))

ifneq ($(HAVE_WIN_CXX),)
WIN_SEEDS_LIBS := $(patsubst tests/plugins/seeds/%.def,$(WIN_SEEDS_DIR)/lib%.a,$(wildcard tests/plugins/seeds/seeds_win_*.def))
# The one delay-loaded import: its library made with -y.
$(WIN_SEEDS_DIR)/libseeds_win_delay.a: WIN_DLLTOOL_OUT := -y
TEST_PLUGINS += $(WIN_SEEDS_VST2)
test-plugins: $(WIN_SEEDS_VST2)

$(WIN_SEEDS_DIR)/lib%.a: tests/plugins/seeds/%.def
	@mkdir -p $(@D)
	$(WIN_DLLTOOL) -d $< $(or $(WIN_DLLTOOL_OUT),-l) $@

# _WIN32_WINNT 0x0A00: the declarations of Windows 8 and later
# (GetSystemTimePreciseAsFileTime, BCRYPT_USE_SYSTEM_PREFERRED_RNG).
$(WIN_SEEDS_VST2): tests/plugins/seeds/seeds_vst2.c tests/plugins/seeds/seeds.mk tests/plugins/windows/vst2.def \
                   $(WIN_SEEDS_LIBS) $(wildcard tests/plugins/vst2compat/pluginterfaces/vst2.x/*.h) | $(WIN_INCLUDE_STAMP)
	@mkdir -p $(@D)
	$(WIN_CC) -std=c11 -O2 -shared -s -static-libgcc -Wall -Wextra -Wno-cpp -D_WIN32_WINNT=0x0A00 \
	  -Itests/plugins/vst2compat -isystem $(WIN_INCLUDE) -o $@ $< tests/plugins/windows/vst2.def \
	  $(WIN_SEEDS_LIBS) -lbcrypt -ladvapi32
endif
