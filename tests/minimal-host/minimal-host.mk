# SPDX-License-Identifier: GPL-3.0-or-later
# A minimal VST2 host in C, the yardstick for render-one's samples
# (tests/minimal-host.bats), and a VST2 plugin that logs every call
# between a host and the plugin it wraps (how render-one's calls were
# compared with the minimal host's). Included by the top Makefile.

MINIMAL_HOST       := $(BUILD)/tests/minimal-vst2-host
VST2_LOGGING_PROXY := $(BUILD)/tests/vst2-logging-proxy.so
# -Wno-cpp: fst.h's #warnings about names it has not confirmed.
MINIMAL_HOST_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-cpp -Itests/plugins/vst2compat -O2 -g
MINIMAL_HOST_DEPS  := $(wildcard tests/plugins/vst2compat/pluginterfaces/vst2.x/*.h) tests/minimal-host/minimal-host.mk

$(MINIMAL_HOST): tests/minimal-host/minimal_vst2_host.c $(MINIMAL_HOST_DEPS)
	@mkdir -p $(@D)
	$(CC) $(MINIMAL_HOST_CFLAGS) $(SAN_FLAGS) -o $@ $< -ldl -lm

# A plugin is loaded into hosts built with or without the sanitizers: never instrumented.
$(VST2_LOGGING_PROXY): tests/minimal-host/logging_proxy.c $(MINIMAL_HOST_DEPS)
	@mkdir -p $(@D)
	$(CC) $(MINIMAL_HOST_CFLAGS) -fPIC -shared -fvisibility=hidden -o $@ $< -ldl

test-build: $(MINIMAL_HOST) $(VST2_LOGGING_PROXY)
bats: $(MINIMAL_HOST)
