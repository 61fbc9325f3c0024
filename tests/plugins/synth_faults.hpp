// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The misbehaviours vr-test-synth can be asked for, so that the host's
// isolation (crash, hang, stdout, memory) has something real to catch.

namespace vr::test_synth {

// Dies of SIGSEGV by writing through a null pointer (on Windows, of an
// access violation, 0xC0000005).
[[noreturn]] void crash_now();

// Calls abort() (SIGABRT).
[[noreturn]] void abort_now();

// Calls exit(3), running atexit handlers like a careless plugin would.
[[noreturn]] void exit_now();

// Never returns: ignores SIGTERM for the whole process, then sleeps forever
// (on Windows, which has no SIGTERM, only sleeps).
[[noreturn]] void hang_now();

// Writes three lines to stdout (one of them a JSON object) and flushes.
void print_noise(const char* event, int note, int velocity);

// True when the environment asks for noise from the constructor
// (VR_TEST_SYNTH_PRINT=1).
bool print_requested_by_env();

// Appends a line to the file VR_TEST_SYNTH_COUNT_MADE names, when it is
// set, for each instance made (its constructor): a host that makes a
// throwaway instance to describe the plugin shows as two lines a load.
void count_made();

// Appends the monotonic clock's reading (QueryPerformanceCounter on
// Windows, CLOCK_MONOTONIC's nanoseconds on Linux) to the file
// VR_TEST_SYNTH_CLOCK_AT_END names, when it is set: called as the instance
// is destroyed, it says whether the host still pins the clock then.
void note_clock_at_end();

// Allocates 1 MiB, writes every byte, and drops the pointer.
void leak_one_mib();

} // namespace vr::test_synth
