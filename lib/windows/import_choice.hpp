// SPDX-License-Identifier: GPL-3.0-or-later
// Which of a plugin module's imports the pins of windows/pinned_imports.hpp
// take: one from a DLL of the system's (a plugin's own DLL may export a
// "rand" of its own, which stays) whose name a pin replaces
// (pinned_imports.cpp's own, windows/pinned_clocks.hpp's, windows/
// pinned_heap.hpp's). Asked of each of a plugin's imports as it loads (a
// JUCE plugin has about 500) and of each name it looks up.
#pragma once

namespace vr::windows::pinned {

// Whether dll (its name as an import table gives it, any case) is one of
// the system's sources of the functions pinned.
bool provider(const char* dll);

// Whether some pin replaces a function of this name: one hash of every
// such name, made at the first call (pin() makes it, outside the loader's
// callbacks). The tables' own searches took some 60 strcmp an import, 30
// to 50 us of every pinned Windows worker's start.
bool replaced_name(const char* name);

}  // namespace vr::windows::pinned
