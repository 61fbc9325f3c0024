// SPDX-License-Identifier: GPL-3.0-or-later
// Under `make SANITIZE=address`, render-one hosts plugins that leak and are
// unloaded before the leak check runs, so their leaks come back as
// "<unknown module>" and cannot be suppressed by name. Leak checking of our
// lib/ code is done by the sanitized unit tests instead; AddressSanitizer's
// other checks stay on here. Without the sanitizers nothing calls this.
extern "C" __attribute__((visibility("default"), used)) const char* __lsan_default_options() {
    return "detect_leaks=0";
}
