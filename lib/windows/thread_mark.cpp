// SPDX-License-Identifier: GPL-3.0-or-later
// The Windows side of core/thread_mark.hpp: its TLS slot, allocated as the
// worker starts (before main, so before any plugin loads or any call into
// one marks its thread). A new slot reads null on every thread.
#include "core/thread_mark.hpp"

#include <windows.h>

namespace vr::detail {

// None until the slot is allocated (constant-initialized, so before any
// of the worker's dynamic initialization).
std::uint32_t windows_mark_slot = 0xFFFFFFFF;

namespace {
const bool allocated = [] {
    const DWORD slot = TlsAlloc();
    if (slot != TLS_OUT_OF_INDEXES) windows_mark_slot = static_cast<std::uint32_t>(slot);
    return slot != TLS_OUT_OF_INDEXES;
}();
}  // namespace

void* windows_mark_slow() noexcept {
    return windows_mark_slot == 0xFFFFFFFF ? nullptr : TlsGetValue(windows_mark_slot);
}

void windows_set_mark_slow(void* mark) noexcept {
    if (windows_mark_slot != 0xFFFFFFFF) TlsSetValue(windows_mark_slot, mark);
}

}  // namespace vr::detail
