// SPDX-License-Identifier: GPL-3.0-or-later
// UTF-8 text as the wide strings of Windows' W functions.
#pragma once
#include <windows.h>

#include <string>

namespace vr::windows {

inline std::wstring wide_text(const std::string& utf8) {
    const int n = MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
    std::wstring w(static_cast<std::size_t>(n > 0 ? n : 0), L'\0');
    if (n > 0) MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), w.data(), n);
    return w;
}

}  // namespace vr::windows
