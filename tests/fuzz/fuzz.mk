# SPDX-License-Identifier: GPL-3.0-or-later
# `make fuzz FUZZ_SECONDS=N`: builds one libFuzzer binary per parser with
# clang (our lib/ compiled again, instrumented, into build/fuzz/) and runs each
# for N seconds on seeds copied from tests/fixtures. Fails when any target
# finds a crash, a leak or a hang; the input is kept in build/fuzz/crashes/.
# tests/fuzz/README.md says more.

FUZZ_SECONDS ?= 60
FUZZ_CXX     ?= clang++
FUZZ_DIR     := build/fuzz
FUZZ_TARGETS := fxp vstpreset serum records midi paths lv2 dx7 vital juce_xml
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CXXFLAGS = -std=c++20 -O1 -g -Wall -Wextra -Wno-missing-field-initializers -Ilib \
                -DVR_VERSION='"$(VERSION)"' $(PKG_CFLAGS) $(FUZZ_SAN)

FUZZ_LIB_OBJS := $(LIB_SRCS:%.cpp=$(FUZZ_DIR)/obj/%.o)
FUZZ_LIBVR    := $(FUZZ_DIR)/lib/libvr.a
FUZZ_BINS     := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/bin/fuzz_%)

.PHONY: fuzz fuzz-build

fuzz: fuzz-build
	@tests/fuzz/run-all $(FUZZ_SECONDS) $(FUZZ_DIR) $(FUZZ_TARGETS)

fuzz-build: $(FUZZ_BINS)

# Coverage instrumentation without libFuzzer's main, for everything but the
# final link.
$(FUZZ_LIB_OBJS) $(FUZZ_TARGETS:%=$(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o): $(FUZZ_DIR)/obj/%.o: %.cpp
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_TARGETS:%=$(FUZZ_DIR)/obj/tests/fuzz/entry_%.o): $(FUZZ_DIR)/obj/tests/fuzz/entry_%.o: tests/fuzz/entry.cpp
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link -DVR_FUZZ_TARGET=vr_fuzz_$* -c $< -o $@

$(FUZZ_LIBVR): $(FUZZ_LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_BINS): $(FUZZ_DIR)/bin/fuzz_%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_DIR)/obj/tests/fuzz/entry_%.o $(FUZZ_LIBVR)
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

-include $(FUZZ_LIB_OBJS:.o=.d) $(FUZZ_TARGETS:%=$(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.d)
