// SPDX-License-Identifier: GPL-3.0-or-later
#include "presets/juce_xml_preset.hpp"

#include <charconv>

#include "core/error.hpp"
#include "presets/detect.hpp"
#include "presets/xml_document.hpp"

namespace vr {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Skips white space, comments and processing instructions (the XML
// declaration among them) from `i`; npos when the head ends inside one.
std::size_t skip_misc(std::string_view s, std::size_t i) {
    for (;;) {
        while (i < s.size() && is_space(s[i])) ++i;
        if (s.substr(i, 4) == "<!--") {
            auto end = s.find("-->", i + 4);
            if (end == std::string_view::npos) return std::string_view::npos;
            i = end + 3;
        } else if (s.substr(i, 2) == "<?") {
            auto end = s.find("?>", i + 2);
            if (end == std::string_view::npos) return std::string_view::npos;
            i = end + 2;
        } else {
            return i;
        }
    }
}

bool name_char(char c) {
    auto u = static_cast<unsigned char>(c);
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' ||
           u == ':' || u == '-' || u == '.' || u >= 0x80;
}

// The element name at s[i] (after its '<'), whole: followed by white space,
// '>' or '/'. Empty when it is not there whole.
std::string_view name_at(std::string_view s, std::size_t i) {
    std::size_t from = i;
    while (i < s.size() && name_char(s[i])) ++i;
    if (i == from || i >= s.size() || !(is_space(s[i]) || s[i] == '>' || s[i] == '/')) return {};
    return s.substr(from, i - from);
}

[[noreturn]] void broken(const xml_element& e, const std::string& what) {
    throw format_error("byte " + std::to_string(e.offset) + ": " + what, e.offset);
}

}  // namespace

bool sniff_juce_xml(std::string_view s) {
    std::size_t i = s.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
    i = skip_misc(s, i);
    if (i == std::string_view::npos || i >= s.size() || s[i] != '<') return false;
    if (name_at(s, i + 1).empty()) return false;
    // The root's start tag: '>' outside quoted values ends it.
    char quote = 0;
    for (++i; i < s.size(); ++i) {
        char c = s[i];
        if (quote) {
            if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '>') {
            break;
        }
    }
    if (i >= s.size() || s[i - 1] == '/') return false;  // cut short, or a root with no children
    i = skip_misc(s, i + 1);
    if (i == std::string_view::npos || i >= s.size() || s[i] != '<') return false;
    std::string_view child = name_at(s, i + 1);
    return child == "programs" || child == "PARAM";
}

bool juce_xml_unsettled(std::string_view s) {
    constexpr std::string_view bom = "\xEF\xBB\xBF";
    std::size_t i = 0;
    while (i < s.size() && i < bom.size() && s[i] == bom[i]) ++i;
    if (i > 0 && i < bom.size()) return i == s.size();  // a byte order mark cut short, or not one
    while (i < s.size() && is_space(s[i])) ++i;
    return i == s.size() || s[i] == '<';
}

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
