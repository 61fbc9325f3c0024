# SPDX-License-Identifier: GPL-3.0-or-later
# The test instrument vr-test-seeds (tests/plugins/seeds/README.md): one C
# file on plain_vst2.h, no JUCE, built by plain_vst2.mk's functions.
# Included by the top Makefile, after plugins.mk.

TEST_SEEDS_VST2 := build/plugins/seeds/vr-test-seeds.so
export VR_TEST_SEEDS_VST2 := $(abspath $(TEST_SEEDS_VST2))
$(eval $(call plain_vst2_linux,$(TEST_SEEDS_VST2),tests/plugins/seeds/seeds_vst2.c))

# The same file built for Windows (README.md, "Windows"): its notes draw
# from the C runtimes' and Windows' sources through their DLLs; the import
# libraries for the imports under names of ours (one delay-loaded) come
# from the seeds_win_*.def files, with tests/plugins/windows/windows.mk's
# WIN_DLLTOOL (read before this file).
WIN_SEEDS_DIR  := build/plugins/win/seeds
WIN_SEEDS_VST2 := $(WIN_SEEDS_DIR)/vr-test-seeds.dll
export VR_WIN_SEEDS_VST2 := $(abspath $(WIN_SEEDS_VST2))

ifneq ($(HAVE_WIN_CXX),)
WIN_SEEDS_LIBS := $(patsubst tests/plugins/seeds/%.def,$(WIN_SEEDS_DIR)/lib%.a,$(wildcard tests/plugins/seeds/seeds_win_*.def))
# The one delay-loaded import: its library made with -y.
$(WIN_SEEDS_DIR)/libseeds_win_delay.a: WIN_DLLTOOL_OUT := -y
$(WIN_SEEDS_DIR)/lib%.a: tests/plugins/seeds/%.def
	@mkdir -p $(@D)
	$(WIN_DLLTOOL) -d $< $(or $(WIN_DLLTOOL_OUT),-l) $@
endif

# _WIN32_WINNT 0x0A00: the declarations of Windows 8 and later
# (GetSystemTimePreciseAsFileTime, BCRYPT_USE_SYSTEM_PREFERRED_RNG).
$(eval $(call plain_vst2_windows,$(WIN_SEEDS_VST2),tests/plugins/seeds/seeds_vst2.c,\
  -D_WIN32_WINNT=0x0A00 $(WIN_SEEDS_LIBS) -lbcrypt -ladvapi32,$(WIN_SEEDS_LIBS)))
