// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/editor_windows.hpp"

#include <windows.h>

#include <algorithm>
#include <cstdint>
#include <cctype>
#include <cstdlib>
#include <string>

namespace vr::windows {

namespace {

HWND as_hwnd(unsigned long w) { return reinterpret_cast<HWND>(static_cast<std::uintptr_t>(w)); }

struct search {
    const std::vector<unsigned long>* ours;
    bool found = false;
};

BOOL CALLBACK look_at(HWND w, LPARAM arg) {
    auto* s = reinterpret_cast<search*>(arg);
    const auto id = static_cast<unsigned long>(reinterpret_cast<std::uintptr_t>(w));
    if (IsWindowVisible(w) && std::find(s->ours->begin(), s->ours->end(), id) == s->ours->end()) {
        s->found = true;
        return FALSE;
    }
    return TRUE;
}

}  // namespace

std::string window_refusal() {
    HWND probe = CreateWindowExW(0, L"STATIC", L"", WS_POPUP, 0, 0, 1, 1, nullptr, nullptr, nullptr, nullptr);
    if (probe) {
        DestroyWindow(probe);
        return {};
    }
    const char* display = std::getenv("DISPLAY");
    return std::string("wine made no window here (error ") + std::to_string(GetLastError()) +
           "): it has no display driver (DISPLAY=" + (display ? display : "") + ")";
}

void use_own_desktop() {
    const char* name = std::getenv("VR_WINE_DESKTOP");
    if (!name || !*name) return;
    for (const char* c = name; *c; ++c)
        if (!(std::isalnum(static_cast<unsigned char>(*c)) || *c == '-')) return;
    HDESK desk = CreateDesktopA(name, nullptr, nullptr, 0, GENERIC_ALL, nullptr);
    if (desk) (void)SetThreadDesktop(desk);  // failing, Default's driver decides (window_refusal says)
    // Its explorer.exe started now, with this process's DISPLAY.
    (void)window_refusal();
}

bool shows_foreign_child(unsigned long top, const std::vector<unsigned long>& ours) {
    HWND w = as_hwnd(top);
    if (!IsWindow(w) || !IsWindowVisible(w)) return false;
    search s{&ours};
    EnumChildWindows(w, look_at, reinterpret_cast<LPARAM>(&s));
    return s.found;
}

unsigned long x11_window_of(unsigned long top) {
    return static_cast<unsigned long>(reinterpret_cast<std::uintptr_t>(GetPropW(as_hwnd(top), L"__wine_x11_whole_window")));
}

void redraw_all(unsigned long top) {
    RedrawWindow(as_hwnd(top), nullptr, nullptr, RDW_INVALIDATE | RDW_ERASE | RDW_ALLCHILDREN | RDW_UPDATENOW);
}

bool window_exists(unsigned long top) { return IsWindow(as_hwnd(top)) != FALSE; }

void let_wine_flush() { (void)MsgWaitForMultipleObjectsEx(0, nullptr, 5, QS_ALLINPUT, 0); }

}  // namespace vr::windows
