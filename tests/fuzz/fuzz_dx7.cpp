// SPDX-License-Identifier: GPL-3.0-or-later
#include <algorithm>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "presets/detect.hpp"
#include "presets/dx7_sysex.hpp"
#include "presets/sysex_file.hpp"
#include "targets.hpp"

namespace {

// parse_sysex_file's promise, whatever the bytes: messages that tile the
// file in order from byte 0, each F0, data bytes below 80, F7; or a
// format_error whose offset is a byte of the file and whose message names
// it. Gives where each message starts, or nothing when the file was refused.
VR_FUZZ_UNTRACED std::optional<std::vector<std::size_t>> sysex_message_starts(std::span<const std::uint8_t> bytes) {
    std::vector<std::vector<std::uint8_t>> messages;
    try {
        messages = vr::parse_sysex_file(bytes);
    } catch (const vr::format_error& e) {
        const std::string what = e.what();
        if (bytes.empty())
            vr_fuzz_require(e.offset == 0 && what == "an empty file, not MIDI System Exclusive (.syx)");
        else
            vr_fuzz_require(e.offset < bytes.size() && what.starts_with("byte " + std::to_string(e.offset) + ": "));
        return std::nullopt;
    }
    std::vector<std::size_t> starts;
    std::size_t at = 0;
    for (const std::vector<std::uint8_t>& m : messages) {
        vr_fuzz_require(m.size() >= 2 && m.front() == 0xF0 && m.back() == 0xF7);
        for (std::size_t i = 1; i + 1 < m.size(); ++i) vr_fuzz_require(m[i] < 0x80);
        vr_fuzz_require(m.size() <= bytes.size() - at && std::memcmp(m.data(), bytes.data() + at, m.size()) == 0);
        starts.push_back(at);
        at += m.size();
    }
    vr_fuzz_require(at == bytes.size() && !messages.empty());
    return starts;
}

}  // namespace

void vr_fuzz_dx7(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> bytes(data, size);
    const std::optional<std::vector<std::size_t>> messages = sysex_message_starts(bytes);
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
    // A DX7 file is a SysEx file whose messages are its dumps.
    vr_fuzz_require(messages && messages->size() == f.dumps.size());
    // The dumps tile the file, in order, each whole and checked.
    std::size_t at = 0, voices = 0;
    for (std::size_t i = 0; i < f.dumps.size(); ++i) {
        const vr::dx7_dump& d = f.dumps[i];
        std::size_t whole = d.bulk ? vr::dx7_bulk_bytes : vr::dx7_voice_bytes;
        vr_fuzz_require(d.offset == at && at + whole <= size && (*messages)[i] == at);
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
