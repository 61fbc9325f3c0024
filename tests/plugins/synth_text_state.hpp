// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// vr-test-synth's state as text, in the forms real JUCE synths use for
// theirs (README.md, "Text states"): a JSON document, as Vital's, or JUCE's
// binary XML with a root of its own, as TAL's <tal> and Dexed's
// <dexedState>. Both carry the values of parameters 0..n-1, the program
// and a version; a state of a newer version is refused, as those synths
// refuse a preset saved by a newer release. synth_text_state.cpp also
// defines the processor's getStateInformation and setStateInformation.

#include <juce_core/juce_core.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "synth_state.hpp"

namespace vr::test_synth {

// none: the blob of README.md's "State"; keep: that blob, but a state that
// is not one is kept and handed back unread, as a stand-in for a plugin
// whose state this one cannot read (Serum 2's).
enum class text_state { none, json, xml, keep };

// VR_TEST_SYNTH_STATE: "json", "xml" or "keep"; anything else (or unset) is none.
text_state text_state_requested();

// The version this build writes and the newest it accepts.
inline constexpr int text_state_version = 1;

// The state in the given form (values and program; no payload).
juce::MemoryBlock encode_text_state(text_state form, const synth_state& s);

// The state in bytes of the given form, or nothing when they are not one
// (not JSON or binary XML, another root, a version above
// text_state_version, no values).
std::optional<synth_state> decode_text_state(text_state form, const void* data, std::size_t size);

} // namespace vr::test_synth
