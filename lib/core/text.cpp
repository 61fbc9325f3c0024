// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/text.hpp"

#include <cstdint>
#include <cstdio>

namespace vr {

namespace {

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 if none.
std::size_t utf8_seq_len(std::string_view s, std::size_t i) {
    auto b = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
    std::uint8_t c = b(i);
    if (c < 0x80) return 1;
    std::size_t n;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; }
    else return 0;
    if (i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        if ((b(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b(i + k) & 0x3F);
    }
    static constexpr std::uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

}  // namespace

bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = utf8_seq_len(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) {
    if (s.size() <= max_bytes) return s;
    std::size_t end = max_bytes;
    while (end > 0 && (static_cast<std::uint8_t>(s[end]) & 0xC0) == 0x80) --end;
    return s.substr(0, end);
}

std::string printable_excerpt(std::string_view s, std::size_t max_bytes) {
    std::string out;
    std::size_t i = 0;
    while (i < s.size() && out.size() < max_bytes) {
        std::size_t n = utf8_seq_len(s, i);
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (n == 1 && c >= 0x20 && c != 0x7F) {
            out += s[i];
        } else if (n > 1) {
            out.append(s.substr(i, n));
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", c);
            out += buf;
            n = 1;
        }
        i += n;
    }
    if (i < s.size()) out += "...";
    return out;
}

}  // namespace vr
