// SPDX-License-Identifier: GPL-3.0-or-later
// Writing a module's import slots (windows/pinned_imports.cpp's patching):
// the slots an address table of a plugin's module takes ours in, gathered,
// so that each run of them in one region of the same protection is made
// writable once, however many of its slots change. Under wine a
// VirtualQuery and a VirtualProtect each take ntdll's lock of the address
// space (two rt_sigprocmask) and a VirtualProtect an mprotect: slot by
// slot, a JUCE plugin's start made 12 pairs of them and some 20 queries
// (strace), about 50 us.
#pragma once
#include <windows.h>

#include <cstddef>

namespace vr::windows::pinned {

class slot_writes {
public:
    slot_writes() = default;
    slot_writes(const slot_writes&) = delete;
    slot_writes& operator=(const slot_writes&) = delete;
    ~slot_writes() { flush(); }

    // Slot is to hold with (nothing to do when it does).
    void add(ULONGLONG* slot, void* with);

    // Writes what was added.
    void flush();

private:
    struct write {
        ULONGLONG* slot;
        ULONGLONG value;
    };
    write writes_[64];  // a JUCE plugin replaces about 20; more are written in turns
    std::size_t count_ = 0;
};

}  // namespace vr::windows::pinned
