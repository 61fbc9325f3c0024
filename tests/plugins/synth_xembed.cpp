// SPDX-License-Identifier: GPL-3.0-or-later
#include "synth_xembed.hpp"

#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <dlfcn.h>

namespace vr::test_synth {

bool withhold_xembed_map(unsigned long window)
{
    // libX11 as JUCE itself loads it: at run time, so the plugin links
    // nothing more.
    void* x11 = ::dlopen("libX11.so.6", RTLD_NOW | RTLD_LOCAL);
    if (x11 == nullptr)
        return false;
    auto open = reinterpret_cast<Display* (*)(const char*)>(::dlsym(x11, "XOpenDisplay"));
    auto intern = reinterpret_cast<Atom (*)(Display*, const char*, Bool)>(::dlsym(x11, "XInternAtom"));
    auto change = reinterpret_cast<int (*)(Display*, Window, Atom, Atom, int, int, const unsigned char*, int)>(
        ::dlsym(x11, "XChangeProperty"));
    auto sync = reinterpret_cast<int (*)(Display*, Bool)>(::dlsym(x11, "XSync"));
    auto close = reinterpret_cast<int (*)(Display*)>(::dlsym(x11, "XCloseDisplay"));
    bool done = false;
    if (open && intern && change && sync && close) {
        if (Display* d = open(nullptr)) {
            const Atom info = intern(d, "_XEMBED_INFO", False);
            const long version_and_flags[2] = {0, 0};  // version 0, XEMBED_MAPPED clear
            change(d, static_cast<Window>(window), info, info, 32, PropModeReplace,
                   reinterpret_cast<const unsigned char*>(version_and_flags), 2);
            sync(d, False);
            close(d);
            done = true;
        }
    }
    ::dlclose(x11);
    return done;
}

} // namespace vr::test_synth
