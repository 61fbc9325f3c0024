// SPDX-License-Identifier: GPL-3.0-or-later
// A VST2 "plugin" for tests/reliability.bats that misbehaves while it is
// loaded, in the worker process itself (the test synth's faults fire while
// rendering, which render-one does in a per-job child): at each load it
// counts in the file $VR_SHIM_COUNTER; while the count is below
// $VR_SHIM_FAULTS (default: always) it does $VR_SHIM_FAULT (segv, abort,
// exit); otherwise it hands over to the real plugin $VR_SHIM_PLUGIN.
// A flaky plugin, then, that works once it has crashed often enough.
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void* (*vst_main)(void* host_callback);

static long bump_counter(void) {
    const char* path = getenv("VR_SHIM_COUNTER");
    long n = 0;
    if (!path) return 0;
    FILE* f = fopen(path, "r");
    if (f) {
        if (fscanf(f, "%ld", &n) != 1) n = 0;
        fclose(f);
    }
    f = fopen(path, "w");
    if (f) {
        fprintf(f, "%ld\n", n + 1);
        fclose(f);
    }
    return n;
}

__attribute__((visibility("default"))) void* VSTPluginMain(void* host_callback) {
    const char* faults = getenv("VR_SHIM_FAULTS");
    const char* fault = getenv("VR_SHIM_FAULT");
    long n = bump_counter();
    if (fault && (!faults || n < atol(faults))) {
        if (!strcmp(fault, "segv")) raise(SIGSEGV);
        if (!strcmp(fault, "abort")) abort();
        if (!strcmp(fault, "exit")) exit(3);
    }
    const char* real = getenv("VR_SHIM_PLUGIN");
    void* lib = real ? dlopen(real, RTLD_NOW | RTLD_LOCAL) : NULL;
    vst_main entry = lib ? (vst_main)dlsym(lib, "VSTPluginMain") : NULL;
    return entry ? entry(host_callback) : NULL;
}
