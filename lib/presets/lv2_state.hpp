// SPDX-License-Identifier: GPL-3.0-or-later
// A plugin's own state bytes carried in an LV2 state, the way each JUCE
// LV2 wrapper keeps them, as text: JUCE's LV2 host saves and restores a
// state as a Turtle document (lilv's), so render-one writes one holding
// the bytes under the property the plugin's own saved state uses.
//
// The wrappers (read from their sources):
// - JUCE 7's own (juce_LV2_Client.cpp): "<plugin URI>:StateString", an
//   atom:String holding JUCE's base64 of getStateInformation's bytes;
// - DISTRHO's JUCE wrapper (DISTRHO-Ports' juce_LV2_Wrapper.cpp), by
//   default "urn:juce:stateBinary", an atom:Chunk of the bytes of
//   getCurrentProgramStateInformation; with JucePlugin_WantsLV2StateString
//   (TAL's plugins), "urn:juce:stateString", an atom:String holding the
//   plugin's getStateInformationString text (TAL's <tal> XML document);
// - DPF keeps one atom:String per state key, "<plugin URI>#<key>": no one
//   property holds the whole state, so such a plugin takes only the Turtle
//   state it saved itself.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vr {

enum class lv2_state_kind {
    juce_base64,  // JUCE 7: a string of JUCE base64
    chunk,        // urn:juce:stateBinary: the bytes (xsd:base64Binary in Turtle)
    text,         // urn:juce:stateString: the text itself
};

struct lv2_state_property {
    std::string uri;
    lv2_state_kind kind = lv2_state_kind::chunk;
};

// True when the bytes are an LV2 state document (Turtle with a
// pset:Preset; JUCE's LV2 host saves one without @prefix lines): they go
// over unchanged.
bool is_lv2_state_document(std::span<const std::uint8_t> bytes);

// The property of the wrappers above that a state the plugin saved
// (Turtle) holds, or nothing.
std::optional<lv2_state_property> find_lv2_state_property(std::string_view turtle, std::string_view plugin_uri);

// The plugin's own bytes under that property in a saved state, decoded,
// or nothing when the document has no such literal.
std::optional<std::vector<std::uint8_t>> lv2_state_property_bytes(std::string_view turtle,
                                                                   const lv2_state_property& property);

// A state document for the plugin that sets only that property to the
// bytes (no port values). A text property takes the XML inside JUCE's
// binary XML (VC2!) as its text. Throws record_error when the bytes cannot
// be a text property's (not UTF-8, or a NUL inside).
std::string make_lv2_state_document(std::string_view plugin_uri, const lv2_state_property& property,
                                    std::span<const std::uint8_t> bytes);

}  // namespace vr
