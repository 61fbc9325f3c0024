// SPDX-License-Identifier: GPL-3.0-or-later
#include "presets/lv2_state.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "core/error.hpp"
#include "core/text.hpp"
#include "presets/juce_state.hpp"
#include "presets/utf8_char.hpp"

namespace vr {

namespace {

constexpr std::string_view chunk_uri = "urn:juce:stateBinary";
constexpr std::string_view text_uri = "urn:juce:stateString";

std::string_view as_text(std::span<const std::uint8_t> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

bool has_property(std::string_view turtle, std::string_view uri) {
    return turtle.find("<" + std::string(uri) + ">") != std::string_view::npos;
}

constexpr std::string_view base64_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// RFC 4648 base64 with padding (xsd:base64Binary).
std::string base64_encode(std::span<const std::uint8_t> bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        std::uint32_t group = std::uint32_t{bytes[i]} << 16;
        if (i + 1 < bytes.size()) group |= std::uint32_t{bytes[i + 1]} << 8;
        if (i + 2 < bytes.size()) group |= bytes[i + 2];
        for (std::size_t k = 0; k < 4; ++k)
            out += i + k <= bytes.size() ? base64_alphabet[(group >> (18 - 6 * k)) & 63] : '=';
    }
    return out;
}

constexpr std::array<std::int8_t, 256> base64_values = [] {
    std::array<std::int8_t, 256> t{};
    t.fill(-1);
    for (std::size_t i = 0; i < base64_alphabet.size(); ++i)
        t[static_cast<unsigned char>(base64_alphabet[i])] = static_cast<std::int8_t>(i);
    return t;
}();

// RFC 4648 base64 (xsd:base64Binary), white space and padding skipped.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
    std::vector<std::uint8_t> out;
    unsigned bits = 0, count = 0;
    for (char c : text) {
        if (c == '=' || c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        int v = base64_values[static_cast<unsigned char>(c)];
        if (v < 0) return std::nullopt;
        bits = (bits << 6) | static_cast<unsigned>(v);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out.push_back(static_cast<std::uint8_t>(bits >> count));
        }
    }
    return out;
}

// The Turtle string literal at `at` (short or long quotes), unescaped, or
// nothing when there is none.
std::optional<std::string> literal_at(std::string_view t, std::size_t at) {
    while (at < t.size() && (t[at] == ' ' || t[at] == '\n' || t[at] == '\r' || t[at] == '\t')) ++at;
    if (at >= t.size() || t[at] != '"') return std::nullopt;
    const bool long_form = t.substr(at, 3) == "\"\"\"";
    std::size_t i = at + (long_form ? 3 : 1);
    std::string out;
    while (i < t.size()) {
        char c = t[i];
        if (c == '"' && (!long_form || t.substr(i, 3) == "\"\"\"")) return out;
        if (c != '\\') {
            out += c;
            ++i;
            continue;
        }
        if (i + 1 >= t.size()) return std::nullopt;
        char e = t[i + 1];
        i += 2;
        switch (e) {
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'u':
            case 'U': {
                std::size_t n = e == 'u' ? 4 : 8;
                if (i + n > t.size()) return std::nullopt;
                unsigned long cp = 0;
                for (std::size_t k = 0; k < n; ++k) {
                    char h = t[i + k];
                    int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
                                                         : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
                    if (d < 0) return std::nullopt;
                    cp = cp * 16 + static_cast<unsigned long>(d);
                }
                i += n;
                if (cp > 0x10FFFF) return std::nullopt;
                append_utf8(out, static_cast<std::uint32_t>(cp));
                break;
            }
            default: out += e;  // \" \' \\ and the rest stand for themselves
        }
    }
    return std::nullopt;
}

// A short Turtle string literal holding text.
std::string turtle_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        switch (c) {
            case '\\': out += "\\\\"; break;
            case '"': out += "\\\""; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(c));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

}  // namespace

bool is_lv2_state_document(std::span<const std::uint8_t> bytes) {
    // JUCE's LV2 host writes lilv's text without @prefix lines: a subject
    // first, "a pset:Preset" soon after.
    std::string_view t = as_text(bytes.first(std::min<std::size_t>(bytes.size(), 4096)));
    std::size_t first = t.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos || (t[first] != '<' && t[first] != '@')) return false;
    return t.find("pset:Preset") != std::string_view::npos ||
           t.find("<http://lv2plug.in/ns/ext/presets#Preset>") != std::string_view::npos;
}

std::optional<lv2_state_property> find_lv2_state_property(std::string_view turtle, std::string_view plugin_uri) {
    std::string juce7 = std::string(plugin_uri) + ":StateString";
    if (has_property(turtle, juce7)) return lv2_state_property{juce7, lv2_state_kind::juce_base64};
    if (has_property(turtle, chunk_uri)) return lv2_state_property{std::string(chunk_uri), lv2_state_kind::chunk};
    if (has_property(turtle, text_uri)) return lv2_state_property{std::string(text_uri), lv2_state_kind::text};
    return std::nullopt;
}

std::optional<std::vector<std::uint8_t>> lv2_state_property_bytes(std::string_view turtle,
                                                                   const lv2_state_property& property) {
    std::string key = "<" + property.uri + ">";
    std::size_t at = turtle.find(key);
    if (at == std::string_view::npos) return std::nullopt;
    auto text = literal_at(turtle, at + key.size());
    if (!text) return std::nullopt;
    switch (property.kind) {
        case lv2_state_kind::juce_base64:
            try {
                return juce_base64_decode(*text, property.uri);
            } catch (const record_error&) {
                return std::nullopt;
            }
        case lv2_state_kind::chunk: return base64_decode(*text);
        case lv2_state_kind::text: return std::vector<std::uint8_t>(text->begin(), text->end());
    }
    return std::nullopt;
}

std::string make_lv2_state_document(std::string_view plugin_uri, const lv2_state_property& property,
                                    std::span<const std::uint8_t> bytes) {
    std::string value;
    switch (property.kind) {
        case lv2_state_kind::juce_base64: value = turtle_string(juce_base64_encode(bytes)); break;
        case lv2_state_kind::chunk:
            value = turtle_string(base64_encode(bytes)) + "^^<http://www.w3.org/2001/XMLSchema#base64Binary>";
            break;
        case lv2_state_kind::text: {
            std::string_view text = as_text(bytes);
            if (auto xml = juce_binary_xml_text(bytes)) text = *xml;
            if (!valid_utf8(text) || text.find('\0') != std::string_view::npos)
                throw record_error("the plugin keeps its LV2 state as text (" + property.uri +
                                   "); this state is not UTF-8 text");
            value = turtle_string(text);
            break;
        }
    }
    return "@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"
           "@prefix pset: <http://lv2plug.in/ns/ext/presets#> .\n"
           "@prefix state: <http://lv2plug.in/ns/ext/state#> .\n\n"
           "<urn:vst-render:state>\n"
           "    a pset:Preset ;\n"
           "    lv2:appliesTo <" + std::string(plugin_uri) + "> ;\n"
           "    state:state [\n"
           "        <" + property.uri + "> " + value + "\n"
           "    ] .\n";
}

}  // namespace vr
