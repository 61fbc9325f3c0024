// SPDX-License-Identifier: GPL-3.0-or-later
#include <set>
#include <span>

#include "core/error.hpp"
#include "presets/detect.hpp"
#include "presets/vstpreset.hpp"
#include "targets.hpp"

namespace {

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

void vr_fuzz_vstpreset(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> bytes(data, size);
    auto head = bytes.first(std::min(size, vr::sniff_size));
    vr::preset_kind kind = vr::sniff_preset(head);
    vr_fuzz_require(!vr::describe_content(head).empty());
    vr::vst3_preset p;
    try {
        p = vr::parse_vstpreset(bytes);
    } catch (const vr::record_error&) {
        return;
    }
    vr_fuzz_require(kind == vr::preset_kind::vstpreset);
    vr_fuzz_require(p.class_id.size() == 32);
    for (char c : p.class_id) vr_fuzz_require(is_hex(c));
    vr_fuzz_require(p.list_offset < size);
    std::set<std::string> ids;
    for (const vr::vst3_chunk& c : p.chunks) {
        vr_fuzz_require(c.id.size() == 4 && ids.insert(c.id).second);
        for (char ch : c.id) vr_fuzz_require(ch >= 0x20 && ch < 0x7f);
        vr_fuzz_require(c.offset <= size && c.size <= size - c.offset && c.bytes.size() == c.size);
        vr_fuzz_require(c.bytes.empty() || c.bytes.data() == data + c.offset);
        vr_fuzz_require(p.find(c.id) == &c);
    }
    vr_fuzz_require(p.find("Comp") != nullptr);
    vr_fuzz_require(p.component().size() == p.find("Comp")->size);
    if (auto cont = p.controller()) vr_fuzz_require(p.find("Cont") && cont->size() == p.find("Cont")->size);
    if (auto info = p.info()) vr_fuzz_require(p.find("Info") && info->size() == p.find("Info")->size);
}
