// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/module_symbol.hpp"

#include <windows.h>

#include "windows/wide_text.hpp"

namespace vr::host {

void* module_symbol_at(const void* inside, const char* name) {
    // Its loader's reference keeps the module loaded: take none.
    HMODULE module = nullptr;
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            static_cast<LPCWSTR>(inside), &module))
        return nullptr;
    return reinterpret_cast<void*>(GetProcAddress(module, name));
}

void* module_symbol_in(const std::string& path, const char* name) {
    if (path.empty()) return nullptr;
    std::wstring wide = windows::wide_text(path);
    for (auto& c : wide)
        if (c == L'/') c = L'\\';
    HMODULE module = nullptr;
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT, wide.c_str(), &module)) return nullptr;
    return reinterpret_cast<void*>(GetProcAddress(module, name));
}

}  // namespace vr::host
