// SPDX-License-Identifier: GPL-3.0-or-later
// A loaded module's PE headers, read by windows/pinned_imports.cpp (its
// import tables) and windows/module_restore.cpp (its writable sections).
#pragma once
#include <windows.h>

namespace vr::windows {

// The NT headers of the 64-bit image loaded at base; nullptr when base
// holds no such image.
inline const IMAGE_NT_HEADERS64* image_headers(const BYTE* base) {
    const auto* dos = reinterpret_cast<const IMAGE_DOS_HEADER*>(base);
    if (dos->e_magic != IMAGE_DOS_SIGNATURE) return nullptr;
    const auto* nt = reinterpret_cast<const IMAGE_NT_HEADERS64*>(base + dos->e_lfanew);
    return nt->Signature == IMAGE_NT_SIGNATURE && nt->OptionalHeader.Magic == IMAGE_NT_OPTIONAL_HDR64_MAGIC ? nt
                                                                                                            : nullptr;
}

}  // namespace vr::windows
