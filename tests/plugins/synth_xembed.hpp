// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// VR_TEST_SYNTH_EDITOR=unmapped on Linux: the editor's X window tells its
// embedder not to map it (XEmbed's _XEMBED_INFO with XEMBED_MAPPED clear),
// as a client that never becomes ready does. JUCE's host maps an embedded
// window by that flag, so the window never shows.

namespace vr::test_synth {

// Sets the flag on the window (an X Window id) through a connection of its
// own, made, flushed and closed here; false when libX11 or the display is
// not there.
bool withhold_xembed_map(unsigned long window);

} // namespace vr::test_synth
