// SPDX-License-Identifier: GPL-3.0-or-later
// Under `make SANITIZE=address`, render-one hosts plugins that leak and are
// unloaded before the leak check runs, so their leaks come back as
// "<unknown module>" and cannot be suppressed by name. Leak checking of our
// lib/ code is done by the sanitized unit tests instead; AddressSanitizer's
// other checks stay on here. Without the sanitizers nothing calls these.
extern "C" __attribute__((visibility("default"), used)) const char* __lsan_default_options() {
    return "detect_leaks=0";
}

// A plugin that crashes must die of its signal, as it does without the
// sanitizers, so that the worker reports "the plugin crashed (signal N)";
// AddressSanitizer would catch the signal and exit with status 1 instead.
extern "C" __attribute__((visibility("default"), used)) const char* __asan_default_options() {
    return "handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:handle_abort=0";
}
