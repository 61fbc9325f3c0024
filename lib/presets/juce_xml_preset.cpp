// SPDX-License-Identifier: GPL-3.0-or-later
#include "presets/juce_xml_preset.hpp"

#include <charconv>

#include "core/error.hpp"
#include "presets/detect.hpp"
#include "presets/xml_document.hpp"

namespace vr {

namespace {

[[noreturn]] void broken(const xml_element& e, const std::string& what) {
    throw format_error("byte " + std::to_string(e.offset) + ": " + what, e.offset);
}

}  // namespace

juce_xml_preset read_juce_xml_preset(std::span<const std::uint8_t> bytes) {
    xml_element root = read_xml_document(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    juce_xml_preset p;
    p.root = root.name;
    if (root.children.empty()) throw not_a_preset("an XML document whose root <" + root.name + "> is empty");
    const xml_element& first = root.children.front();
    if (first.name == "programs") {
        const auto& programs = first.children;
        for (const auto& program : programs)
            if (program.name != "program")
                broken(program, "<" + program.name + "> inside <programs>, which holds <program> elements");
        if (programs.empty()) broken(first, "<programs> holds no <program>");
        // A whole bank (a plugin's state) names its current program.
        std::size_t current = 0;
        if (const std::string* cur = root.attribute("curprogram"); cur && programs.size() > 1) {
            std::size_t v = 0;
            auto [end, ec] = std::from_chars(cur->data(), cur->data() + cur->size(), v);
            if (ec == std::errc() && end == cur->data() + cur->size() && v < programs.size()) current = v;
        }
        if (const std::string* n = programs[current].attribute("programname")) p.name = *n;
        return p;
    }
    if (first.name == "PARAM") {
        for (const auto& param : root.children)
            if (param.name == "PARAM" && (!param.attribute("id") || !param.attribute("value")))
                broken(param, "a <PARAM> without its id or value");
        // Some plugins name the preset on the root (KNDL Synth: presetName).
        if (const std::string* n = root.attribute("presetName")) p.name = *n;
        return p;
    }
    throw not_a_preset("an XML document whose root <" + root.name + "> starts with <" + first.name +
                       ">, not a JUCE plugin's state");
}

}  // namespace vr
