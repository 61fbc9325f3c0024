// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <utility>

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
        if (static_cast<unsigned char>(s[i]) < 0x80) {  // ASCII, the common case: no decoding
            ++i;
            continue;
        }
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

std::string message_number(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", v);
    return text;
}

std::string printable_excerpt(std::string_view s, std::size_t max_bytes) {
    // Printable ASCII, the common case (every bad record line has an
    // excerpt), in one piece rather than byte by byte.
    const std::size_t head = std::min(s.size(), max_bytes);
    if (std::all_of(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(head),
                    [](char ch) { return static_cast<unsigned char>(ch) >= 0x20 && static_cast<unsigned char>(ch) < 0x7F; })) {
        std::string out;
        out.reserve(head + 3);
        out.assign(s.data(), head);
        if (head < s.size()) out += "...";
        return out;
    }
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

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

namespace {

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace

std::vector<std::size_t> closest_matches(std::string_view word, const std::vector<std::string>& candidates,
                                         std::size_t count, std::size_t max_distance) {
    const std::string w = ascii_lower(word);
    std::vector<std::pair<std::size_t, std::size_t>> ranked;  // distance, index
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        std::size_t d = edit_distance(w, ascii_lower(candidates[i]));
        if (d <= max_distance) ranked.emplace_back(d, i);
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    std::vector<std::size_t> out;
    for (std::size_t k = 0; k < ranked.size() && k < count; ++k) out.push_back(ranked[k].second);
    return out;
}

}  // namespace vr
