// SPDX-License-Identifier: GPL-3.0-or-later
#include <span>

#include "core/error.hpp"
#include "presets/detect.hpp"
#include "presets/dx7_sysex.hpp"
#include "targets.hpp"

void vr_fuzz_dx7(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> bytes(data, size);
    auto head = bytes.first(std::min(size, vr::sniff_size));
    vr::preset_kind kind = vr::sniff_preset_any(head);
    vr_fuzz_require(!vr::describe_content(head).empty());
    vr::dx7_file f;
    try {
        f = vr::parse_dx7_sysex(bytes);
    } catch (const vr::record_error&) {
        return;
    }
    vr_fuzz_require(kind == vr::preset_kind::dx7_sysex);
    // The dumps tile the file, in order, each whole and checked.
    std::size_t at = 0, voices = 0;
    for (const vr::dx7_dump& d : f.dumps) {
        std::size_t whole = d.bulk ? vr::dx7_bulk_bytes : vr::dx7_voice_bytes;
        vr_fuzz_require(d.offset == at && at + whole <= size);
        vr_fuzz_require(data[at] == 0xF0 && data[at + 1] == 0x43 && data[at + whole - 1] == 0xF7);
        vr_fuzz_require(d.data.data() == data + at + 6 && d.data.size() == whole - 8);
        vr_fuzz_require(vr::dx7_checksum(d.data) == data[at + whole - 2]);
        vr_fuzz_require(d.channel == (data[at + 2] & 0x0F));
        for (std::uint8_t b : d.data) vr_fuzz_require(b < 0x80);
        voices += d.bulk ? 32 : 1;
        at += whole;
    }
    vr_fuzz_require(at == size && !f.dumps.empty());
    vr_fuzz_require(f.voice_names.size() == voices);
    for (const std::string& n : f.voice_names) {
        vr_fuzz_require(n.size() <= 10 && (n.empty() || n.back() != ' '));
        for (char c : n) vr_fuzz_require(c >= 0x20 && c < 0x7F);
    }
}
