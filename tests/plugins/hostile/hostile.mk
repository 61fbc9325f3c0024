# SPDX-License-Identifier: GPL-3.0-or-later
# The test instrument vr-test-hostile (tests/plugins/hostile/README.md):
# one C file, no JUCE, for tests/sandbox.bats. Included by plugins.mk.
#
# Always into build/plugins, whatever $(BUILD) is, and with flags of its own
# (never the environment's CFLAGS), as seeds.mk does.

TEST_HOSTILE_VST2 := build/plugins/hostile/vr-test-hostile.so

TEST_PLUGINS += $(TEST_HOSTILE_VST2)
test-plugins: $(TEST_HOSTILE_VST2)

export VR_TEST_HOSTILE_VST2 := $(abspath $(TEST_HOSTILE_VST2))

# -Wno-cpp: fst.h's own #warning lines, about its names, not our code.
$(TEST_HOSTILE_VST2): tests/plugins/hostile/hostile_vst2.c tests/plugins/hostile/hostile.mk \
                      $(wildcard tests/plugins/vst2compat/pluginterfaces/vst2.x/*.h)
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -fPIC -shared -fvisibility=hidden -Wall -Wextra -Wno-cpp \
	  -Itests/plugins/vst2compat -o $@ $< -lm
