# SPDX-License-Identifier: GPL-3.0-or-later
# vst-render: the one entry point. `make help` lists the targets.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DESTDIR ?=

VERSION := $(shell cat VERSION)

# `make check SANITIZE=address,undefined` builds everything of ours with the
# sanitizers, in its own folder so the plain build stays as it is.
SANITIZE ?=
ifeq ($(strip $(SANITIZE)),)
BUILD ?= build
SAN_FLAGS :=
else
BUILD ?= build/sanitize
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

CXX      ?= g++
# What we compile with unless CXXFLAGS is given. The tools: -O2 -g, as
# installed. A sanitized build: -O1 -g1, as the sanitizers' own
# documentation advises (-O1 keeps their reports' stacks whole; -g1's line
# tables name file and line), and it compiles in half the time of -O2 -g
# (a unit test's file: 37 s against 79 s of CPU). The unit tests' own files:
# -O1 -g1 in both builds (14 s against 33 s a file; the code they test is
# compiled as above). Measured on this kind of machine: tests/README.md.
ifeq ($(origin CXXFLAGS),undefined)
ifeq ($(strip $(SANITIZE)),)
CXXFLAGS := -O2 -g
else
CXXFLAGS := -O1 -g1
endif
UNIT_CXXFLAGS := -O1 -g1
else
UNIT_CXXFLAGS := $(CXXFLAGS)
endif
PKGS     := nlohmann_json cxxopts sndfile libzstd libcbor libcrypto libutf8proc fftw3f libdeflate libebur128 soxr

# pkg-config is asked once, and only when something is compiled (so that
# `make deps` works on a machine that has none of the packages yet).
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell pkg-config --cflags $(PKGS)))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(shell pkg-config --libs $(PKGS)))$(PKG_LIBS)
GTEST_LIBS = $(eval GTEST_LIBS := $$(shell pkg-config --libs gtest_main))$(GTEST_LIBS)

# -ffunction-sections -fdata-sections: what a light tool cannot reach is
# dropped from it (below).
VR_CXXFLAGS = -std=c++20 -Wall -Wextra -Wno-missing-field-initializers -Ilib \
              -ffunction-sections -fdata-sections \
              -DVR_VERSION='"$(VERSION)"' $(PKG_CFLAGS) $(SAN_FLAGS) $(CXXFLAGS)
# -z now: symbols bound at start, not on first call in every forked child
# (each lazy binding there writes a page the fork shares: a fault).
VR_LDFLAGS  = -Wl,-z,now $(SAN_FLAGS) $(LDFLAGS)

# lib/host, lib/worker, lib/linux and lib/wine are linked into the hosting
# tools only (lib/host/host.mk); every other folder makes libvr.
HOST_DIRS := host worker linux wine
# lib/windows is built for Windows only (lib/windows/windows.mk).
LIB_SRCS  := $(filter-out $(HOST_DIRS:%=lib/%/%) lib/windows/%,$(wildcard lib/*/*.cpp))
LIB_OBJS  := $(LIB_SRCS:%.cpp=$(BUILD)/obj/%.o)
LIBVR     := $(BUILD)/lib/libvr.a

# Every tools/NAME.cpp is a tool; those listed in HOST_TOOLS link the plugin
# host (lib/host/host.mk says how) and the rest link only libvr. render-one
# is one of the rest: it runs render-one-host (lib/host/host.mk).
HOST_TOOLS  := plugin-scan
TOOLS       := $(basename $(notdir $(wildcard tools/*.cpp)))
LIGHT_TOOLS := $(filter-out $(HOST_TOOLS),$(TOOLS))
BINS        := $(TOOLS:%=$(BUILD)/bin/%)

UNIT_SRCS := $(wildcard tests/unit/*.cpp)
UNIT_OBJS := $(UNIT_SRCS:%.cpp=$(BUILD)/obj/%.o)
UNIT_BIN  := $(BUILD)/tests/unit-tests

MAN_PAGES := $(wildcard man/*.1 man/*.7)

.PHONY: all check test test-build unit bats bats-no-cache lint-man lint demo deps install uninstall clean bench fuzz help deb
.DEFAULT_GOAL := all

all: $(BINS)

help:
	@echo "make            build the tools into $(BUILD)/bin"
	@echo "make deps       install the Debian packages the build and tests need"
	@echo "make check      install what is missing, build, run every test"
	@echo "make demo       install what is missing, build, run the demo pipeline"
	@echo "make install    install tools, man pages, bash completions (PREFIX=$(PREFIX) DESTDIR=)"
	@echo "make uninstall  remove what install put there"
	@echo "make bench      measure speed and memory, print the table (under 20 minutes)"
	@echo "make fuzz       run every fuzz target for FUZZ_SECONDS (clang)"
	@echo "make soak       100,000 jobs under crashes, hangs, leaks, a kill -9 and a resume (SOAK_JOBS=N)"
	@echo "make soak-windows  1,000 jobs a Windows test plugin under isolation restore (SOAK_WINDOWS_JOBS=N)"
	@echo "make soak-start  500 one-off loads of the JUCE 5 start-up's stand-in, none hung (SOAK_LOADS=N)"
	@echo "make deb        build the Debian package into build/deb/"
	@echo "make clean      remove build/"

deps:
	@build-aux/install-deps build-aux/packages.txt

$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(VR_CXXFLAGS) -MMD -MP -c $< -o $@

$(LIBVR): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

# A light tool is linked in two steps: its object and libvr's into one
# object without what main cannot reach (--gc-sections), then that with
# only the shared libraries its live code calls (--as-needed). So
# render-one, the command every --warm run starts, loads libc and libm
# alone, not libsndfile and its codecs that libvr's objects name:
# each library loaded costs every start. The C++ runtime is linked in
# (-static-libstdc++): the parts a tool calls, bound when it is linked, not
# looked up by the dynamic loader at each start (render-one --version:
# 0.95 ms instead of 1.38 ms, against 0.76 ms for a C program that does
# nothing; 100 starts of each, in alternation). (Sanitized builds link in
# one step: the sanitizers' own sections are not for a partial link.)
ifeq ($(strip $(SANITIZE)),)
$(LIGHT_TOOLS:%=$(BUILD)/bin/%): $(BUILD)/bin/%: $(BUILD)/obj/tools/%.o $(LIBVR)
	@mkdir -p $(@D) $(BUILD)/obj/live
	$(CXX) -nostdlib -r -Wl,--gc-sections -Wl,-e,main -o $(BUILD)/obj/live/$*.o $^
	$(CXX) $(VR_LDFLAGS) -static-libstdc++ -static-libgcc -Wl,--as-needed -o $@ $(BUILD)/obj/live/$*.o $(PKG_LIBS)
else
$(LIGHT_TOOLS:%=$(BUILD)/bin/%): $(BUILD)/bin/%: $(BUILD)/obj/tools/%.o $(LIBVR)
	@mkdir -p $(@D)
	$(CXX) $(VR_LDFLAGS) -o $@ $^ $(PKG_LIBS)
endif

-include lib/host/host.mk
-include lib/windows/windows.mk
# The functions that build the plain VST2 test instruments, which plugins.mk
# and the fragments after it call.
-include tests/plugins/plain_vst2/plain_vst2.mk
-include tests/plugins/plugins.mk
-include tests/plugins/windows/serum.mk
-include tests/minimal-host/minimal-host.mk
-include tests/plugins/seeds/seeds.mk
-include tests/plugins/memory/memory.mk
-include tests/plugins/clocks/clocks.mk
-include tests/plugins/static_state/static_state.mk
-include tests/plugins/chunk_read/chunk_read.mk
-include tests/plugins/bad/bad.mk
-include tests/fuzz/fuzz.mk
-include build-aux/deb.mk
-include build-aux/completion.mk

# The child heap's, the plugin arena's and the fixed stack's unit tests
# link their objects, wine's tests lib/wine's, and
# the wire's and the read-only matching's tests host/instance_wire's (with
# its CBOR reader, wire_cbor) and
# host/read_only's (lib/linux, lib/wine and lib/host are not in libvr).
UNIT_LINUX_OBJS := $(patsubst %,$(BUILD)/obj/lib/linux/%.o,child_heap plugin_arena fixed_stack settle \
                   thread_rest task_files wait_notes)
UNIT_WINE_OBJS  := $(patsubst %,$(BUILD)/obj/lib/wine/%.o,wine_session prefix_server server_lookup)
UNIT_HOST_OBJS  := $(patsubst %,$(BUILD)/obj/lib/host/%.o,instance_wire wire_cbor read_only)
$(UNIT_OBJS): CXXFLAGS = $(UNIT_CXXFLAGS)
$(UNIT_BIN): $(UNIT_OBJS) $(UNIT_LINUX_OBJS) $(UNIT_WINE_OBJS) $(UNIT_HOST_OBJS) $(LIBVR)
	@mkdir -p $(@D)
	$(CXX) $(VR_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(GTEST_LIBS)

# `make check` installs what is missing first, then builds (in parallel) and
# tests (one suite at a time) in further makes, so that pkg-config sees the
# packages just installed.
JOBS ?= $(shell nproc)
check:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory -j$(JOBS) test-build
	@$(MAKE) --no-print-directory test

test-build: all $(UNIT_BIN) $(TEST_PLUGINS)

# Every suite runs even when one before it failed, and the last line says
# which failed: a CI log then ends with the verdict on the whole run.
SUITES := unit bats bats-no-cache lint-man lint
# The sanitizer pass runs what exercises our compiled code. The suites whose
# subject is a script, a package, the documentation or the source text run
# in the plain pass only: the same again with instrumented tools tests
# nothing new (deb's package holds the plain build; distributed.sh's hosts
# and slurm.sh's nodes run the render-one that render-one's own suites
# test; pipeline.bats runs the scripts in examples/, man-examples.bats the
# man pages' examples and readme.bats the README's, along paths through the
# tools that the tools' own suites take too; completion, check-bats-asserts
# and install test scripts and file lists; lint reads the source). Of the
# Windows suites the sanitized pass runs windows-faults.bats only (its
# render-one sanitized, the plain build's Windows worker). bats-no-cache
# runs again, without the probe cache, suites the sanitized pass runs with
# it: a duplicate there, left to the plain pass to keep CI within its hour.
# For the same hour (a landing's CI took 85 minutes on a busy machine),
# the sanitized pass also leaves to the plain pass the suites whose time
# goes to waiting and to processes in numbers, over paths through our code
# that the suites it runs take too: warm.bats and warm-make.bats (the warm
# render-one's sessions: 83 s of the plain pass's 490 s of these suites;
# the same batches run unwarmed in render-one.bats and interrupts.bats),
# reliability.bats (56 s: a 200-job batch of crashes and hangs, its faults
# one by one in render-isolation.bats and interrupts.bats),
# minimal-host.bats (its subject is the C yardstick),
# render-tempo-plugins.bats (a Debian plugin's delay; our transport's code
# runs in render-tempo.bats), and pinned-clocks.bats and pinned-memory.bats
# (a note rendered again in some twenty processes, everywhere.bash: 47 s
# of the plain pass; the pinning they prove runs in every sanitized
# render, its seeds and clocks in reproducible.bats, and the memory notes
# skip there anyway: the sanitizer owns malloc and the stack). windows-clocks.bats and
# windows-static-state.bats, windows-probe.bats and windows-editor.bats are Windows suites and juce-random.bats's
# subject is the test synth's mode.
# Stop 76's CI ran out of its 90 minutes (measured here on 2026-11-29:
# the build 20.5 minutes, the plain pass's bats 43 beside the sanitized
# build, which slows its CPU-bound tests up to twofold, the sanitized
# bats 14.5 for 399 tests). So the
# sanitized pass also leaves to the plain pass the suites that take the
# render path render-one.bats and the chain, bus and stem suites take, with
# one feature more whose own code the sanitized unit tests run
# (automation_test, loudness_test and measure_test, render_options_test,
# transport_test and tempo_fields_test, input_audio_test, probe_cache_test,
# sandbox_spec_test, supervise_test, wait_notes_test): render-automation,
# render-flac-level, render-params, render-tempo, render-test-effect,
# probe-cache, sandbox, linux-display (the Xvfb the supervisor starts) and
# juce5-start (a JUCE 5 plugin's start-up wait), about 4 minutes of it.
PLAIN_ONLY_BATS := tests/deb.bats tests/distributed.bats tests/completion.bats \
                   tests/check-bats-asserts.bats tests/install.bats tests/slurm.bats \
                   tests/pipeline.bats tests/man-examples.bats tests/readme.bats \
                   tests/windows.bats tests/windows-jobs.bats \
                   tests/windows-scan.bats tests/windows-seeds.bats tests/serum-windows.bats \
                   tests/windows-sandbox.bats tests/windows-display.bats \
                   tests/windows-prefix.bats tests/windows-cache.bats \
                   tests/warm.bats tests/warm-make.bats tests/reliability.bats \
                   tests/minimal-host.bats tests/render-tempo-plugins.bats \
                   tests/windows-clocks.bats tests/windows-memory.bats tests/juce-random.bats \
                   tests/windows-static-state.bats tests/windows-probe.bats tests/windows-editor.bats \
                   tests/pinned-clocks.bats tests/pinned-memory.bats \
                   tests/render-automation.bats tests/render-flac-level.bats tests/render-params.bats \
                   tests/render-tempo.bats tests/render-test-effect.bats tests/probe-cache.bats \
                   tests/sandbox.bats tests/linux-display.bats tests/juce5-start.bats
ifneq ($(strip $(SANITIZE)),)
SUITES := unit bats lint-man
endif
test:
	@failed=; for s in $(SUITES); do \
	    $(MAKE) --no-print-directory $$s || failed="$$failed $$s"; \
	done; \
	if [ -n "$$failed" ]; then echo "make check: FAILED:$$failed"; exit 1; fi; \
	echo "make check: every suite passed ($(SUITES))"

unit: $(UNIT_BIN)
	$(UNIT_BIN)

ifeq ($(strip $(SANITIZE)),)
BATS_FILES ?= $(wildcard tests/*.bats)
else
BATS_FILES ?= $(filter-out $(PLAIN_ONLY_BATS),$(wildcard tests/*.bats))
endif
bats: all $(TEST_PLUGINS)
	VR_BIN=$(abspath $(BUILD)/bin) tests/with-wine-prefix bats $(BATS_FILES)

# The order-independence and reproducibility suites again with no probe
# cache (tests/helper.bash): a kept verdict must change no byte (issue 33).
NO_CACHE_BATS := tests/reproducible.bats tests/reliability.bats tests/render-chains.bats
bats-no-cache: all $(TEST_PLUGINS)
	VR_TEST_NO_CACHE=1 VR_BIN=$(abspath $(BUILD)/bin) tests/with-wine-prefix bats $(NO_CACHE_BATS)

lint-man: all
	VR_BIN=$(abspath $(BUILD)/bin) tests/lint-man

# The shape of the code: lib/'s layers (build-aux/check-layers says them);
# shellcheck on every shell script (each one's #! or extension names its
# shell); no bats assertion that cannot fail (build-aux/check-bats-asserts);
# a fallback for every test plugin path make exports, so a suite runs by
# hand (build-aux/check-plugin-paths).
SHELL_SCRIPTS := $(wildcard tests/*.bats tests/*.bash) tests/lint-man tests/with-wine-prefix tests/fuzz/run-all \
                 $(wildcard examples/*.sh) bench/run bench/windows bench/pinning bench/pinning_profile bench/pinning_counts bench/clean_state bench/against bench/editor build-aux/install-deps build-aux/soak build-aux/soak-windows build-aux/soak-start build-aux/check-plugin-paths .ci/run
lint:
	build-aux/check-layers
	build-aux/check-plugin-paths
	shellcheck -x $(SHELL_SCRIPTS)
	build-aux/check-bats-asserts $(filter tests/%.bats tests/%.bash,$(SHELL_SCRIPTS))

demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory -j$(JOBS) all win-test-plugins
	VR_BIN=$(abspath $(BUILD)/bin) examples/demo.sh

# A long batch under faults, killed and resumed (build-aux/soak says what it
# prints); not part of check. SOAK_JOBS=2000 for a short one.
SOAK_JOBS ?= 100000
.PHONY: soak
soak: all $(TEST_PLUGINS)
	SOAK_JOBS=$(SOAK_JOBS) VR_BIN=$(abspath $(BUILD)/bin) build-aux/soak

# SOAK_LOADS one-off loads (default 500) of the JUCE 5 start-up's stand-in,
# none of which may hang (build-aux/soak-start); not part of check.
.PHONY: soak-start
soak-start: all $(TEST_JUCE5_START_VST2)
	VR_BIN=$(abspath $(BUILD)/bin) build-aux/soak-start

# Isolation restore over a long batch of each of two Windows test plugins,
# every job ok and restored, a sample rendered alone alike, the Windows
# worker's memory flat (build-aux/soak-windows); not part of check.
SOAK_WINDOWS_JOBS ?= 1000
.PHONY: soak-windows
soak-windows: all win-test-plugins
	SOAK_WINDOWS_JOBS=$(SOAK_WINDOWS_JOBS) VR_BIN=$(abspath $(BUILD)/bin) build-aux/soak-windows

# Throughput, overhead and memory, measured side by side on this machine
# (bench/run); prints the table and writes $(BUILD)/bench/results.json.
# The Windows rows take the test synth's two builds (the Windows one where
# the cross compiler is) and the worker; BENCH_ONLY=windows runs only them.
BENCH_PLUGINS := $(TEST_SYNTH_STAMP) $(TEST_STATIC_STATE_VST2) \
                 $(if $(HAVE_WIN_CXX),$(WIN_SYNTH_VST2) $(WIN_SYNTH_VST3_BIN) $(WIN_STATIC_STATE_PINNED_VST2))
bench: all $(BENCH_PLUGINS) $(BUILD)/bench/true-peak-bench $(BUILD)/bench/encode-bench $(BUILD)/bench/fork-floor \
       $(BUILD)/bench/child-cpu $(MINIMAL_HOST)
	VR_BIN=$(abspath $(BUILD)/bin) BENCH_BIN=$(abspath $(BUILD)/bench) \
	  BENCH_WIN_WORKER="$${BENCH_WIN_WORKER:-$(abspath $(WIN_WORKER))}" bench/run

# Our true-peak meter timed against libebur128's on audio files.
$(BUILD)/bench/true-peak-bench: $(BUILD)/obj/bench/true_peak.o $(LIBVR)
	@mkdir -p $(@D)
	$(CXX) $(VR_LDFLAGS) -o $@ $^ $(PKG_LIBS)
-include $(BUILD)/obj/bench/true_peak.d

# Our encoder timed alone on a batch's output files (the encoder's share of a job).
$(BUILD)/bench/encode-bench: $(BUILD)/obj/bench/encode.o $(LIBVR)
	@mkdir -p $(@D)
	$(CXX) $(VR_LDFLAGS) -o $@ $^ $(PKG_LIBS)
-include $(BUILD)/obj/bench/encode.d

# What fork isolation costs the kernel alone, nothing of ours in it.
$(BUILD)/bench/fork-floor: $(BUILD)/obj/bench/fork_floor.o
	@mkdir -p $(@D)
	$(CXX) $(VR_LDFLAGS) -o $@ $^
-include $(BUILD)/obj/bench/fork_floor.d

# A command's CPU time to the microsecond (bench/pinning's one-offs).
$(BUILD)/bench/child-cpu: $(BUILD)/obj/bench/child_cpu.o
	@mkdir -p $(@D)
	$(CXX) $(VR_LDFLAGS) -o $@ $^
-include $(BUILD)/obj/bench/child_cpu.d

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)/
	install -D -m 755 $(RENDER_HOST) $(DESTDIR)$(BINDIR)/../lib/vst-render/render-one-host
	install -m 644 $(filter %.1,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(filter %.7,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man7/

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%) $(DESTDIR)$(BINDIR)/../lib/vst-render/render-one-host
	-rmdir $(DESTDIR)$(BINDIR)/../lib/vst-render 2>/dev/null
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man1/%,$(filter %.1,$(MAN_PAGES)))
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man7/%,$(filter %.7,$(MAN_PAGES)))

clean:
	rm -rf build

-include $(LIB_OBJS:.o=.d) $(UNIT_OBJS:.o=.d) $(TOOLS:%=$(BUILD)/obj/tools/%.d)
