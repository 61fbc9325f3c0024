# SPDX-License-Identifier: GPL-3.0-or-later
# Plugins that fail as they load (tests/plugins/bad/*.c), for
# tests/plugin-scan.bats: one that crashes, one that hangs in its entry
# point. Included by the top Makefile; built, like the other test plugins,
# into build/plugins whatever $(BUILD) is, with flags of their own.

TEST_BAD_DIR  := build/plugins/bad
TEST_BAD_VST2 := $(TEST_BAD_DIR)/crash-on-load.so $(TEST_BAD_DIR)/hang-on-load.so

TEST_PLUGINS += $(TEST_BAD_VST2)
# plugins.mk's test-plugins took TEST_PLUGINS as it stood then.
test-plugins: $(TEST_BAD_VST2)

export VR_TEST_BAD_DIR := $(abspath $(TEST_BAD_DIR))

$(TEST_BAD_DIR)/crash-on-load.so: tests/plugins/bad/crash_on_load.c tests/plugins/bad/bad.mk
	@mkdir -p $(@D)
	$(CC) -std=c11 -O0 -fPIC -shared -fvisibility=hidden -Wall -Wextra -o $@ $<

$(TEST_BAD_DIR)/hang-on-load.so: tests/plugins/bad/hang_on_load.c tests/plugins/bad/bad.mk
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -fPIC -shared -fvisibility=hidden -Wall -Wextra -o $@ $<
