// SPDX-License-Identifier: GPL-3.0-or-later
#include "presets/sysex_file.hpp"

#include <string>

#include "core/error.hpp"

namespace vr {

namespace {

std::string hex(std::uint8_t b) {
    const char* digits = "0123456789ABCDEF";
    return {digits[b >> 4], digits[b & 15]};
}

}  // namespace

std::vector<std::vector<std::uint8_t>> parse_sysex_file(std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) throw format_error("an empty file, not MIDI System Exclusive (.syx)", 0);
    std::vector<std::vector<std::uint8_t>> messages;
    std::size_t at = 0;
    while (at < bytes.size()) {
        if (bytes[at] != 0xf0)
            throw format_error("byte " + std::to_string(at) + ": " + hex(bytes[at]) + " where a SysEx message (F0) " +
                                   (messages.empty() ? "should start: not a .syx file" : "should start"),
                               at);
        const std::size_t start = at++;
        while (at < bytes.size() && bytes[at] < 0x80) ++at;
        if (at == bytes.size())
            throw format_error("byte " + std::to_string(start) + ": the SysEx message starting there has no F7: " +
                                   "the file is cut short after " + std::to_string(at - start) + " bytes",
                               start);
        if (bytes[at] != 0xf7)
            throw format_error("byte " + std::to_string(at) + ": " + hex(bytes[at]) +
                                   " inside a SysEx message (its data bytes are below 80)",
                               at);
        ++at;
        messages.emplace_back(bytes.begin() + static_cast<std::ptrdiff_t>(start),
                              bytes.begin() + static_cast<std::ptrdiff_t>(at));
    }
    return messages;
}

}  // namespace vr
