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
