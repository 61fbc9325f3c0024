// SPDX-License-Identifier: GPL-3.0-or-later
// A plugin_instance's render loop: the plan's MIDI and the feed's audio
// handed over block by block, a block split where automation moves a
// parameter, the plugin's latency rendered and cut, an auto tail followed
// to silence.
#pragma once
#include "host/plugin_impl.hpp"

namespace vr::host {

// plugin_instance::render (host/plugin_instance.hpp says what it does).
audio_buffer render_blocks(juce_plugin& p, const play_plan& plan, int channels, const render_feed& feed,
                           render_stats* stats);

}  // namespace vr::host
