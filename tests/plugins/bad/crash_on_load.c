// SPDX-License-Identifier: GPL-3.0-or-later
// A VST2 plugin that dies of SIGSEGV in its entry point, as a broken plugin
// does when a host loads it: for plugin-scan's tests (tests/plugin-scan.bats).
#include <stddef.h>

__attribute__((visibility("default"))) void* VSTPluginMain(void* host) {
    (void)host;
    volatile int* nowhere = NULL;
    *nowhere = 1;
    return NULL;
}
