// SPDX-License-Identifier: GPL-3.0-or-later
// A VST2 plugin whose entry point never returns, as a plugin stuck on a lock
// or a licence server does: for plugin-scan's tests (tests/plugin-scan.bats).
// It sleeps rather than spins, so that a test waiting for its timeout costs
// no CPU.
#include <unistd.h>

__attribute__((visibility("default"))) void* VSTPluginMain(void* host) {
    (void)host;
    for (;;) sleep(1);
}
