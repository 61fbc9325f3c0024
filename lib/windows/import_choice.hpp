// SPDX-License-Identifier: GPL-3.0-or-later
// Which of a plugin module's imports the pins of windows/pinned_imports.hpp
// take: one from a DLL of the system's (a plugin's own DLL may export a
// "rand" of its own, which stays) whose name a pin replaces
// (pinned_imports.cpp's own, windows/pinned_clocks.hpp's, windows/
// pinned_heap.hpp's). Asked of each of a plugin's imports as it loads (a
// JUCE plugin has about 500) and of each name it looks up.
#pragma once
#include <span>

namespace vr::windows::pinned {

// A function a pin replaces, and what replaces it.
struct pin_entry {
    const char* name;
    void* with;
};

// A pin's function as a pin_entry's `with`.
template <typename F>
void* fn(F f) {
    return reinterpret_cast<void*>(f);
}

// Which pins replace a function: the randomness ones (pinned_imports.cpp:
// pins()) and the wall clock's (pinned_wall.hpp: wall_pins()), the
// monotonic clocks and waits (pinned_clocks.hpp: clock_pins(), and
// pinned_timers.hpp: timer_pins()), the heap's (pinned_heap.hpp:
// heap_pins(), while the arena is up) and the C runtime's (pinned_crt.hpp:
// its replacement depends on which runtime the loader bound, so `with` is
// nullptr here) and the C++ library's waits (pinned_msvcp.hpp: they wrap
// the function the loader bound, so `with` is nullptr too).
enum class pin_family : unsigned char { randomness, clock, heap, crt, msvcp };
struct replacing {
    pin_family family;
    void* with;
};

// Whether dll (its name as an import table gives it, any case) is one of
// the system's sources of the functions pinned.
bool provider(const char* dll);

// What replaces a function of this name (nullptr: nothing): one hash of
// every pin's name, made at the first call (pin() makes it, outside the
// loader's callbacks). The families' own tables, searched by strcmp, took
// some 60 calls an import once (30 to 50 us of every pinned Windows
// worker's start), and still some 10,000 instructions of a JUCE one-off
// behind the hash (bench/pinning_counts).
const replacing* replaced(const char* name);

}  // namespace vr::windows::pinned
