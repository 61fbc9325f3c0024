// SPDX-License-Identifier: GPL-3.0-or-later
#include "presets/detect.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <utility>

#include "core/text.hpp"
#include "presets/vital.hpp"

namespace vr {

namespace {

bool starts(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// ASCII letter case ignored; `lower_word` is already in lower case.
bool equals_ignoring_case(std::string_view s, std::string_view lower_word) {
    return s.size() == lower_word.size() &&
           std::equal(s.begin(), s.end(), lower_word.begin(), [](char a, char b) {
               auto c = static_cast<unsigned char>(a);
               return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c) == b;
           });
}

// The magic bytes sniff_preset_any knows, with the kind each one means.
constexpr std::pair<std::string_view, preset_kind> magics[] = {
    {"CcnK", preset_kind::fx},
    {"VST3", preset_kind::vstpreset},
    {std::string_view("XferJson\0", 9), preset_kind::serum2},
    {"\xF0\x43", preset_kind::dx7_sysex},
    {vital_magic, preset_kind::vital},
};

bool loaded_by_render_one(preset_kind kind) {
    return kind == preset_kind::fx || kind == preset_kind::vstpreset || kind == preset_kind::serum2;
}

// Text, allowing the head to end inside a multi-byte character.
bool looks_like_text(std::string_view s) {
    bool valid = false;
    for (std::size_t cut = 0; cut < 4 && cut <= s.size() && !valid; ++cut)
        valid = valid_utf8(s.substr(0, s.size() - cut));
    if (!valid) return false;
    return std::none_of(s.begin(), s.end(), [](char ch) {
        auto c = static_cast<unsigned char>(ch);
        return (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7F;
    });
}

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

preset_kind sniff_preset(std::span<const std::uint8_t> head) {
    preset_kind kind = sniff_preset_any(head);
    return loaded_by_render_one(kind) ? kind : preset_kind::none;
}

preset_kind sniff_preset_any(std::span<const std::uint8_t> head) {
    std::string_view s(reinterpret_cast<const char*>(head.data()), head.size());
    for (const auto& [magic, kind] : magics)
        if (starts(s, magic)) return kind;
    if (sniff_juce_xml(s)) return preset_kind::juce_xml;
    return preset_kind::none;
}

bool sniff_settled(std::span<const std::uint8_t> head) {
    std::string_view s(reinterpret_cast<const char*>(head.data()), head.size());
    // Unsettled while the head is a proper prefix of some magic, or XML
    // whose root's first child may lie in the bytes to come.
    if (head.size() < sniff_size && juce_xml_unsettled(s) && !sniff_juce_xml(s)) return false;
    return std::none_of(std::begin(magics), std::end(magics), [&](const auto& m) {
        return s.size() < m.first.size() && starts(m.first, s);
    });
}

preset_kind claimed_by_name(std::string_view path) {
    auto slash = path.rfind('/');
    std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    auto dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0) return preset_kind::none;
    std::string_view ext = name.substr(dot + 1);
    if (equals_ignoring_case(ext, "fxp") || equals_ignoring_case(ext, "fxb")) return preset_kind::fx;
    if (equals_ignoring_case(ext, "vstpreset")) return preset_kind::vstpreset;
    if (equals_ignoring_case(ext, "serumpreset")) return preset_kind::serum2;
    if (equals_ignoring_case(ext, "syx")) return preset_kind::dx7_sysex;
    if (equals_ignoring_case(ext, "vital")) return preset_kind::vital;
    if (equals_ignoring_case(ext, "noisemakerpreset")) return preset_kind::juce_xml;
    return preset_kind::none;
}

const char* preset_kind_text(preset_kind kind) {
    switch (kind) {
        case preset_kind::fx: return "an fxp/fxb preset";
        case preset_kind::vstpreset: return "a VST3 preset";
        case preset_kind::serum2: return "a Serum 2 preset";
        case preset_kind::dx7_sysex: return "a DX7 SysEx dump";
        case preset_kind::vital: return "a Vital preset";
        case preset_kind::juce_xml: return "a JUCE XML preset";
        case preset_kind::none: break;
    }
    return "not a preset";
}

std::string describe_content(std::span<const std::uint8_t> head) {
    std::string_view s(reinterpret_cast<const char*>(head.data()), head.size());
    if (s.empty()) return "an empty file";
    if (starts(s, "bplist")) return "an Apple binary property list";
    if (starts(s, "PK\x03\x04") || starts(s, "PK\x05\x06")) return "a ZIP archive";
    if (starts(s, "RIFF") && s.size() >= 12) {
        if (s.substr(8, 4) == "WAVE") return "a RIFF WAVE audio file";
        return "a RIFF file ('" + printable_excerpt(s.substr(8, 4), 16) + "')";
    }
    if (starts(s, "FORM") && s.size() >= 12 && (s.substr(8, 4) == "AIFF" || s.substr(8, 4) == "AIFC"))
        return "an AIFF audio file";
    if (starts(s, "fLaC")) return "a FLAC audio file";
    if (starts(s, "OggS")) return "an Ogg file";
    if (starts(s, "ID3")) return "an MP3 audio file";
    if (starts(s, "MThd")) return "a Standard MIDI File";
    if (starts(s, "VC2!")) return "a JUCE plugin state blob ('VC2!')";
    if (starts(s, "\xF0") && s.size() >= 2) {
        char buf[80];
        std::snprintf(buf, sizeof buf, "MIDI System Exclusive data of manufacturer 0x%02x (byte 1)",
                      static_cast<unsigned char>(s[1]));
        return buf;
    }
    if (starts(s, "\x1F\x8B")) return "gzip-compressed data";
    if (starts(s, "\x28\xB5\x2F\xFD")) return "a zstd frame";
    if (starts(s, "\x89PNG")) return "a PNG image";
    if (starts(s, "\xFF\xD8\xFF")) return "a JPEG image";
    if (starts(s, "GIF8")) return "a GIF image";
    if (starts(s, "%PDF")) return "a PDF document";
    if (starts(s, "\x7F" "ELF")) return "an ELF binary";
    if (looks_like_text(s)) {
        std::string_view t = s;
        if (starts(t, "\xEF\xBB\xBF")) t.remove_prefix(3);
        auto first = t.find_first_not_of(" \t\r\n\f");
        if (first != std::string_view::npos) {
            t.remove_prefix(first);
            if (t[0] == '<') {
                if (t.find("<plist") != std::string_view::npos ||
                    t.find("<!DOCTYPE plist") != std::string_view::npos)
                    return "an Apple XML property list";
                return "an XML document";
            }
            if (t[0] == '{' || t[0] == '[') return "a JSON document";
        }
        return "a text file";
    }
    std::string out = "binary data (starts";
    for (std::size_t i = 0; i < std::min<std::size_t>(8, s.size()); ++i) {
        char buf[4];
        std::snprintf(buf, sizeof buf, " %02x", static_cast<unsigned char>(s[i]));
        out += buf;
    }
    return out + ")";
}

}  // namespace vr
