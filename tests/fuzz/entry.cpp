// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer's entry point, compiled once per target with
// -DVR_FUZZ_TARGET=vr_fuzz_<name>: the bodies live in fuzz_<name>.cpp so that
// the unit tests can replay inputs through them without libFuzzer.
#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    VR_FUZZ_TARGET(data, size);
    return 0;
}
