// SPDX-License-Identifier: GPL-3.0-or-later
// Presets of JUCE plugins whose state is an XML document, saved as that
// document (TAL-NoiseMaker's .noisemakerpreset: a root <tal> holding
// <programs>). Which XML counts: a document whose root element's first
// child is one of the two shapes a JUCE plugin's state takes,
//   - <programs> holding <program> elements (TAL's plugins), or
//   - <PARAM id=... value=.../> elements (AudioProcessorValueTreeState's
//     copyState().createXml(), what most JUCE plugins save),
// so that a folder's other XML (property lists, configurations, SVG, a DAW
// session) never becomes a record. sniff_juce_xml (presets/detect.hpp)
// tells them from a file's first bytes.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace vr {

struct juce_xml_preset {
    std::string root;  // the root element's name: the plugin's id ("tal")
    // The program's name where the document has one (the current program's
    // programname; a PARAM root's presetName), else empty.
    std::string name;
};

// Reads a whole document: well-formed XML (read_xml_document), in one of
// the two shapes above. Throws format_error naming the byte for broken XML
// or a broken shape (a <programs> holding something but <program>, a PARAM
// without id or value), not_a_preset for XML of another shape.
juce_xml_preset read_juce_xml_preset(std::span<const std::uint8_t> bytes);

}  // namespace vr
