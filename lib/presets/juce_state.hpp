// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vr {

// JUCE's own base64 (MemoryBlock::toBase64Encoding): the decimal byte count,
// a '.', then 6-bit groups taken LSB-first from the bytes, in the alphabet
// ".ABC...XYZabc...xyz0123456789+". Not RFC 4648.
std::string juce_base64_encode(std::span<const std::uint8_t> bytes);

// Decodes JUCE base64 strictly: the count must be plain decimal, every
// character in the alphabet, exactly as many characters as the count needs
// and unused bits zero, so that encoding the result gives the text back.
// Throws format_error; `what` names the text in messages, `base_offset` is
// added to offsets.
std::vector<std::uint8_t> juce_base64_decode(std::string_view text, std::string_view what,
                                             std::size_t base_offset = 0);

// The two parts of a JUCE VST3 plugin state.
struct vst3_state {
    std::vector<std::uint8_t> component;                 // IComponent::getState bytes
    std::optional<std::vector<std::uint8_t>> controller; // IEditController state, if any
};

// The XML text in JUCE's binary XML (AudioProcessor::copyXmlToBinary):
// "VC2!", a 32-bit little-endian length, the UTF-8 text, a NUL; or nothing
// when the bytes are not one. JUCE's VST3 state blob is one, and so is
// the state of many JUCE plugins (TAL's <tal>, Dexed's <dexedState>).
std::optional<std::string_view> juce_binary_xml_text(std::span<const std::uint8_t> bytes);

// The XML text as JUCE's binary XML: what a JUCE plugin whose state is XML
// (TAL's <tal>) saves and loads as its state.
std::vector<std::uint8_t> juce_binary_xml(std::string_view xml);

// The name of the root element of an XML document (after its
// declaration, comments and white space), or "" when there is none.
std::string xml_root_element(std::string_view xml);

// True when bytes are JUCE's VST3 state blob: binary XML whose root is
// <VST3PluginState> (a plugin's own binary XML has a root of its own).
bool is_juce_vst3_state(std::span<const std::uint8_t> bytes);

// A JUCE plugin's VST3 component state without the block JUCE's VST3
// wrapper appends to it (an int64 0, a ValueTree, its int64 size, then
// "JUCEPrivateData"): the plugin's own state. Other bytes come back whole.
std::span<const std::uint8_t> without_juce_private_data(std::span<const std::uint8_t> component);

// True when bytes start with JUCE's VST3 state magic "VC2!".
bool is_vst3_state_blob(std::span<const std::uint8_t> bytes);

// The blob JUCE's VST3 host hands to and takes from setStateInformation:
// "VC2!", uint32 LE XML length, the XML on one line, one NUL.
std::vector<std::uint8_t> make_vst3_state_blob(const vst3_state& state);

// Parses such a blob (the XML declaration may be followed by a space or a
// newline). Throws format_error naming the byte for a wrong magic, a length
// past the end, XML of another shape, bad base64, or trailing bytes.
vst3_state parse_vst3_state_blob(std::span<const std::uint8_t> bytes);

}  // namespace vr
