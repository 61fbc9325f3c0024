// SPDX-License-Identifier: GPL-3.0-or-later
// A Windows plugin's editor as wine shows it (render-one(1), "Editors and
// pictures"): the Windows worker's half. Wine draws a top-level window into
// an X window of its own on the display DISPLAY names, a plugin's child
// windows inside it (they get none of their own), and keeps that X window's
// id as the window's property __wine_x11_whole_window: the Linux side reads
// the pixels from the X server through it, as for a Linux plugin.
//
// Wine gives a desktop (the Default one of a prefix, shared by every wine
// process in it) the display driver of the first process that needs one,
// and keeps it while any other uses the desktop: a Windows worker started
// without a display (every worker holds a message window) would leave a
// later one with DISPLAY set unable to make any window ("no driver could
// be loaded"). So a worker told VR_WINE_DESKTOP makes its windows on a
// desktop of that name (use_own_desktop), whose own explorer.exe opens the
// worker's display. No JUCE.
#pragma once
#include <string>
#include <vector>

namespace vr::windows {

// When VR_WINE_DESKTOP names a desktop ([A-Za-z0-9-]): this thread's
// windows go on it (made now if no process made it yet). Called first
// thing in the worker's main thread, before any window (JUCE's message
// window would bind the thread to Default).
void use_own_desktop();

// "" when a window can be made here; else why not (no display driver).
std::string window_refusal();

// Whether the window top (an HWND) holds a visible window that is none of
// ours: the plugin's own editor, shown in it.
bool shows_foreign_child(unsigned long top, const std::vector<unsigned long>& ours);

// The X window wine made for the top-level window (0: none, or a wine
// driver other than X11's).
unsigned long x11_window_of(unsigned long top);

// Asks the window and all below it to draw themselves whole again.
void redraw_all(unsigned long top);

// Whether the window still exists.
bool window_exists(unsigned long top);

// A moment's idle wait for messages: wine hands what a window drew to the
// X server when its thread goes idle.
void let_wine_flush();

}  // namespace vr::windows
