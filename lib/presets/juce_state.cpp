// SPDX-License-Identifier: GPL-3.0-or-later
#include "presets/juce_state.hpp"

#include <array>

#include "core/cursor.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

namespace vr {

namespace {

constexpr char juce_alphabet[] = ".ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+";

constexpr std::array<std::int8_t, 256> juce_decoding = [] {
    std::array<std::int8_t, 256> t{};
    t.fill(-1);
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(juce_alphabet[i])] = static_cast<std::int8_t>(i);
    return t;
}();

std::size_t chars_for(std::size_t bytes) { return (bytes * 8 + 5) / 6; }

constexpr std::uint32_t vc2_magic = 0x21324356;  // "VC2!" read little-endian
constexpr std::string_view xml_declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

bool is_xml_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

std::string juce_base64_encode(std::span<const std::uint8_t> bytes) {
    std::string out = std::to_string(bytes.size()) + ".";
    std::size_t n = chars_for(bytes.size());
    out.reserve(out.size() + n);
    for (std::size_t i = 0; i < n; ++i) {
        // Six bits from bit i*6 on, the lowest bit of each byte first.
        std::size_t bit = i * 6;
        unsigned group = 0;
        for (unsigned b = 0; b < 6; ++b, ++bit) {
            std::size_t byte = bit / 8;
            if (byte < bytes.size() && ((bytes[byte] >> (bit % 8)) & 1)) group |= 1u << b;
        }
        out += juce_alphabet[group];
    }
    return out;
}

std::vector<std::uint8_t> juce_base64_decode(std::string_view text, std::string_view what,
                                             std::size_t base_offset) {
    auto fail = [&](const std::string& message, std::size_t at) {
        throw format_error(std::string(what) + ": bad JUCE base64 at byte " +
                               std::to_string(base_offset + at) + ": " + message,
                           base_offset + at);
    };
    std::size_t dot = text.find('.');
    if (dot == std::string_view::npos) fail("no '.' after the byte count", 0);
    std::string_view count_text = text.substr(0, dot);
    std::string_view body = text.substr(dot + 1);
    if (count_text.empty()) fail("no byte count before the '.'", 0);
    if (count_text.size() > 1 && count_text[0] == '0') fail("the byte count has a leading zero", 0);
    std::size_t count = 0;
    bool whole = true;  // false once the count is known to be too big for the text
    for (std::size_t i = 0; i < count_text.size(); ++i) {
        char c = count_text[i];
        if (c < '0' || c > '9')
            fail("the byte count holds \"" + printable_excerpt(count_text, 20) + "\", not a number", i);
        if (count > body.size()) whole = false;
        if (whole) count = count * 10 + static_cast<std::size_t>(c - '0');
    }
    if (!whole || count > body.size() || chars_for(count) != body.size())
        fail("the count says " + std::string(count_text.substr(0, 20)) + " bytes but " +
                 std::to_string(body.size()) + " characters follow" +
                 (whole ? " (" + std::to_string(chars_for(count)) + " needed)" : std::string()),
             0);
    std::vector<std::uint8_t> out(count, 0);
    std::size_t bit = 0;
    for (std::size_t i = 0; i < body.size(); ++i) {
        int group = juce_decoding[static_cast<unsigned char>(body[i])];
        if (group < 0)
            fail("character '" + printable_excerpt(body.substr(i, 1), 8) + "' is not in the alphabet",
                 dot + 1 + i);
        for (unsigned b = 0; b < 6; ++b, ++bit) {
            if (!((group >> b) & 1)) continue;
            if (bit / 8 >= count)
                fail("the last character sets bits past the end of the data", dot + 1 + i);
            out[bit / 8] |= static_cast<std::uint8_t>(1u << (bit % 8));
        }
    }
    return out;
}

std::optional<std::string_view> juce_binary_xml_text(std::span<const std::uint8_t> bytes) {
    if (!is_vst3_state_blob(bytes) || bytes.size() < 9) return std::nullopt;
    std::uint32_t length = 0;
    for (int i = 0; i < 4; ++i) length |= static_cast<std::uint32_t>(bytes[4 + static_cast<std::size_t>(i)]) << (8 * i);
    if (length > bytes.size() - 8) return std::nullopt;
    std::string_view text(reinterpret_cast<const char*>(bytes.data()) + 8, length);
    // JUCE writes a NUL after the text; a reader stops at the first one.
    return text.substr(0, text.find('\0'));
}

std::string xml_root_element(std::string_view xml) {
    std::size_t pos = 0;
    while (pos < xml.size()) {
        if (is_xml_space(xml[pos])) {
            ++pos;
        } else if (xml.substr(pos, 2) == "<?") {
            std::size_t end = xml.find("?>", pos);
            if (end == std::string_view::npos) return "";
            pos = end + 2;
        } else if (xml.substr(pos, 4) == "<!--") {
            std::size_t end = xml.find("-->", pos);
            if (end == std::string_view::npos) return "";
            pos = end + 3;
        } else if (xml.substr(pos, 2) == "<!") {  // a DOCTYPE
            std::size_t end = xml.find('>', pos);
            if (end == std::string_view::npos) return "";
            pos = end + 1;
        } else {
            break;
        }
    }
    if (pos >= xml.size() || xml[pos] != '<') return "";
    std::size_t start = ++pos;
    while (pos < xml.size() && !is_xml_space(xml[pos]) && xml[pos] != '>' && xml[pos] != '/') ++pos;
    return std::string(xml.substr(start, pos - start));
}

bool is_juce_vst3_state(std::span<const std::uint8_t> bytes) {
    auto text = juce_binary_xml_text(bytes);
    // A blob too broken to read is judged by parse_vst3_state_blob, which names the fault.
    return is_vst3_state_blob(bytes) && (!text || xml_root_element(*text) == "VST3PluginState");
}

std::span<const std::uint8_t> without_juce_private_data(std::span<const std::uint8_t> component) {
    constexpr std::string_view magic = "JUCEPrivateData";
    const std::size_t n = component.size();
    if (n < magic.size() + 16) return component;
    std::string_view tail(reinterpret_cast<const char*>(component.data()) + n - magic.size(), magic.size());
    if (tail != magic) return component;
    std::uint64_t size = 0;
    for (std::size_t i = 0; i < 8; ++i) size |= std::uint64_t{component[n - magic.size() - 8 + i]} << (8 * i);
    if (size > n - magic.size() - 16) return component;
    return component.first(n - magic.size() - 16 - static_cast<std::size_t>(size));
}

bool is_vst3_state_blob(std::span<const std::uint8_t> bytes) {
    return bytes.size() >= 4 && bytes[0] == 'V' && bytes[1] == 'C' && bytes[2] == '2' &&
           bytes[3] == '!';
}

std::vector<std::uint8_t> make_vst3_state_blob(const vst3_state& state) {
    std::string xml(xml_declaration);
    xml += " <VST3PluginState><IComponent>";
    xml += juce_base64_encode(state.component);
    xml += "</IComponent>";
    if (state.controller) {
        xml += "<IEditController>";
        xml += juce_base64_encode(*state.controller);
        xml += "</IEditController>";
    }
    xml += "</VST3PluginState>";
    return juce_binary_xml(xml);
}

std::vector<std::uint8_t> juce_binary_xml(std::string_view xml) {
    std::vector<std::uint8_t> out;
    out.reserve(xml.size() + 9);
    auto put32 = [&](std::uint32_t v) {
        for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    };
    put32(vc2_magic);
    put32(static_cast<std::uint32_t>(xml.size()));
    out.insert(out.end(), xml.begin(), xml.end());
    out.push_back(0);
    return out;
}

vst3_state parse_vst3_state_blob(std::span<const std::uint8_t> bytes) {
    byte_cursor in(bytes);
    if (!is_vst3_state_blob(bytes))
        throw format_error("not a JUCE VST3 state: expected \"VC2!\" at byte 0", 0);
    in.skip(4, "magic");
    std::uint32_t length = in.u32le("XML length");
    std::size_t xml_at = in.offset();
    std::string_view xml = in.chars(length, "XML of the VST3 state");
    if (in.u8("NUL after the XML") != 0)
        in.fail("the XML of the VST3 state is not followed by a NUL byte at byte " +
                std::to_string(in.offset() - 1));
    if (!in.at_end())
        in.fail(std::to_string(in.remaining()) + " bytes of trailing data after the VST3 state, at byte " +
                std::to_string(in.offset()));

    std::size_t pos = 0;
    auto fail = [&](const std::string& message) {
        throw format_error("VST3 state XML at byte " + std::to_string(xml_at + pos) + ": " + message,
                           xml_at + pos);
    };
    auto expect = [&](std::string_view token) {
        if (xml.substr(pos, token.size()) != token)
            fail("expected " + std::string(token) + ", found \"" +
                 printable_excerpt(xml.substr(pos, token.size() + 8), 40) + "\"");
        pos += token.size();
    };
    auto element = [&](std::string_view name) {
        expect("<" + std::string(name) + ">");
        std::string close = "</" + std::string(name) + ">";
        std::size_t end = xml.find(close, pos);
        if (end == std::string_view::npos) fail("<" + std::string(name) + "> is never closed");
        std::size_t at = pos;
        pos = end + close.size();
        return juce_base64_decode(xml.substr(at, end - at), name, xml_at + at);
    };
    expect(xml_declaration);
    std::size_t spaces = pos;
    while (pos < xml.size() && is_xml_space(xml[pos])) ++pos;
    if (pos == spaces) fail("expected a space or newline after the XML declaration");
    expect("<VST3PluginState>");
    vst3_state state;
    state.component = element("IComponent");
    if (xml.substr(pos, 17) == "<IEditController>") state.controller = element("IEditController");
    expect("</VST3PluginState>");
    while (pos < xml.size() && is_xml_space(xml[pos])) ++pos;
    if (pos != xml.size()) fail("unexpected text after </VST3PluginState>");
    return state;
}

}  // namespace vr
