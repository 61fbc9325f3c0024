// SPDX-License-Identifier: GPL-3.0-or-later
#include <span>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "presets/detect.hpp"
#include "presets/juce_xml_preset.hpp"
#include "presets/xml_document.hpp"
#include "targets.hpp"

namespace {

// The tree written back as XML, every attribute value escaped.
VR_FUZZ_UNTRACED void write(const vr::xml_element& e, std::string& out) {
    out += '<' + e.name;
    for (const auto& [k, v] : e.attributes) {
        out += ' ' + k + "=\"";
        for (char c : v) {
            if (c == '<') out += "&lt;";
            else if (c == '&') out += "&amp;";
            else if (c == '"') out += "&quot;";
            else out += c;
        }
        out += '"';
    }
    if (e.children.empty()) {
        out += "/>";
        return;
    }
    out += '>';
    for (const auto& c : e.children) write(c, out);
    out += "</" + e.name + '>';
}

VR_FUZZ_UNTRACED bool same(const vr::xml_element& a, const vr::xml_element& b) {
    if (a.name != b.name || a.attributes != b.attributes || a.children.size() != b.children.size()) return false;
    for (std::size_t i = 0; i < a.children.size(); ++i)
        if (!same(a.children[i], b.children[i])) return false;
    return true;
}

}  // namespace

void vr_fuzz_juce_xml(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> bytes(data, size);
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto head = bytes.first(std::min(size, vr::sniff_size));
    vr::preset_kind kind = vr::sniff_preset_any(head);
    if (kind == vr::preset_kind::juce_xml) vr_fuzz_require(vr::sniff_settled(head) || head.size() == size);
    vr::xml_element root;
    try {
        root = vr::read_xml_document(text);
    } catch (const vr::format_error& e) {
        vr_fuzz_require(e.offset <= size);
        return;
    }
    // What was read, written back, reads back the same.
    std::string again;
    write(root, again);
    vr_fuzz_require(same(vr::read_xml_document(again), root));
    vr::juce_xml_preset p;
    try {
        p = vr::read_juce_xml_preset(bytes);
    } catch (const vr::record_error&) {
        return;
    }
    vr_fuzz_require(p.root == root.name && !root.children.empty());
    // A document sniffed as a preset reads as one or fails as broken, never
    // as some other XML.
}
