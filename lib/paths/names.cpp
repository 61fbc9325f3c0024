// SPDX-License-Identifier: GPL-3.0-or-later
// Names that survive every file system: Unicode normalisation, case folding,
// truncation and the sanitizing rules of assign-paths(1).
#include "paths/names.hpp"

#include <array>
#include <vector>
#include <utf8proc.h>

#include "core/error.hpp"
#include "core/text.hpp"

namespace vr {

namespace {

const utf8proc_uint8_t* bytes_of(std::string_view s) {
    return reinterpret_cast<const utf8proc_uint8_t*>(s.data());
}

bool plain_ascii(std::string_view s) {
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

std::string map_utf8(std::string_view s, int options, std::string_view what) {
    // Most names are ASCII, which is its own NFC and folds by lowering A-Z:
    // utf8proc's two passes and two allocations are spared (assign-paths
    // maps each name several times).
    if (plain_ascii(s)) {
        std::string out(s);
        if (options & UTF8PROC_CASEFOLD)
            for (char& c : out)
                if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return out;
    }
    if (!valid_utf8(s)) throw record_error(std::string(what) + " is not valid UTF-8: " + printable_excerpt(s));
    // What utf8proc_map does, decomposing into our buffer: a name usually
    // fits the stack one, which spares utf8proc's sizing pass, its malloc
    // and realloc (assign-paths maps each name several times).
    auto opts = static_cast<utf8proc_option_t>(options);
    auto fail = [&](utf8proc_ssize_t n) {
        if (n == UTF8PROC_ERROR_NOMEM) throw std::bad_alloc();
        return record_error(std::string(what) + ": " + utf8proc_errmsg(n) + ": " + printable_excerpt(s));
    };
    std::array<utf8proc_int32_t, 1024> small;
    std::vector<utf8proc_int32_t> big;
    utf8proc_int32_t* buf = small.data();
    std::size_t room = small.size() - 1;  // reencode writes a NUL after the UTF-8
    utf8proc_ssize_t n =
        utf8proc_decompose(bytes_of(s), static_cast<utf8proc_ssize_t>(s.size()), buf,
                           static_cast<utf8proc_ssize_t>(room), opts);
    if (n < 0) throw fail(n);
    if (static_cast<std::size_t>(n) > room) {
        big.resize(static_cast<std::size_t>(n) + 1);
        buf = big.data();
        room = static_cast<std::size_t>(n);
        n = utf8proc_decompose(bytes_of(s), static_cast<utf8proc_ssize_t>(s.size()), buf,
                               static_cast<utf8proc_ssize_t>(room), opts);
        if (n < 0) throw fail(n);
    }
    n = utf8proc_reencode(buf, n, opts);
    if (n < 0) throw fail(n);
    return std::string(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
}

// The next code point of valid UTF-8 s at i, and its length in bytes.
utf8proc_int32_t next_cp(std::string_view s, std::size_t i, std::size_t& len) {
    utf8proc_int32_t cp = -1;
    utf8proc_ssize_t n = utf8proc_iterate(bytes_of(s) + i, static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    len = n > 0 ? static_cast<std::size_t>(n) : 1;
    return cp;
}

bool replaced(utf8proc_int32_t cp) {
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) return true;  // C0, DEL, C1
    if (cp == 0x2028 || cp == 0x2029) return true;  // line and paragraph separators break line tools
    switch (cp) {
    case '/': case '\\': case '<': case '>': case ':': case '"': case '|': case '?': case '*':
        return true;
    default:
        return false;
    }
}

void strip_trailing_dots_and_spaces(std::string& s) {
    while (!s.empty() && (s.back() == '.' || s.back() == ' ')) s.pop_back();
}

char ascii_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

}  // namespace

std::string nfc(std::string_view s, std::string_view what) {
    return map_utf8(s, UTF8PROC_STABLE | UTF8PROC_COMPOSE, what);
}

std::string fold_key(std::string_view s) {
    // utf8proc folds the decomposition and decomposes the fold recursively,
    // so one pass reaches the canonical caseless form.
    return map_utf8(s, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD, "name");
}

std::string_view truncate_utf8(std::string_view s, std::size_t max_bytes) {
    if (s.size() <= max_bytes) return s;
    // The last cluster boundary and the last character boundary at or before max_bytes;
    // every boundary is asked about in order, as the stateful breaker needs.
    std::size_t cluster_cut = 0, char_cut = 0;
    utf8proc_int32_t state = 0, prev = 0;
    for (std::size_t i = 0; i <= max_bytes && i < s.size();) {
        std::size_t len;
        utf8proc_int32_t cp = next_cp(s, i, len);
        if (i > 0) {
            char_cut = i;
            if (utf8proc_grapheme_break_stateful(prev, cp, &state)) cluster_cut = i;
        }
        prev = cp;
        i += len;
    }
    return s.substr(0, cluster_cut > 0 ? cluster_cut : char_cut);
}

bool is_reserved_windows_name(std::string_view name) {
    // Compared in place, ASCII letters case-blind: no copy of the name.
    std::string_view base = name.substr(0, name.find('.'));
    while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
    auto same = [](std::string_view a, std::string_view upper) {
        if (a.size() != upper.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (ascii_upper(a[i]) != upper[i]) return false;
        return true;
    };
    static const std::array<std::string_view, 7> plain = {"CON", "PRN", "AUX", "NUL", "CLOCK$", "CONIN$", "CONOUT$"};
    for (auto r : plain)
        if (same(base, r)) return true;
    if (base.size() >= 4 && (same(base.substr(0, 3), "COM") || same(base.substr(0, 3), "LPT"))) {
        std::string_view rest = base.substr(3);
        if (rest.size() == 1 && rest[0] >= '0' && rest[0] <= '9') return true;
        if (rest == "\u00B9" || rest == "\u00B2" || rest == "\u00B3") return true;
    }
    return false;
}

std::string sanitize_component(std::string_view name, std::size_t max_bytes) {
    if (max_bytes < 2) throw record_error("no room for a name of " + std::to_string(max_bytes) + " bytes");
    std::string normal = nfc(name);
    std::string s;
    s.reserve(normal.size());
    for (std::size_t i = 0; i < normal.size();) {
        std::size_t len;
        utf8proc_int32_t cp = next_cp(normal, i, len);
        if (replaced(cp)) s += '_';
        else s.append(normal, i, len);
        i += len;
    }
    auto finish = [](std::string t) {
        strip_trailing_dots_and_spaces(t);
        if (t.empty()) t = "_";
        if (t[0] == '.') t[0] = '_';  // no hidden files, no "." or ".."
        return t;
    };
    std::string out = finish(std::string(truncate_utf8(s, max_bytes)));
    if (is_reserved_windows_name(out)) out = "_" + finish(std::string(truncate_utf8(out, max_bytes - 1)));
    // A prefix of an NFC string is NFC in practice; normalising again costs little and proves it.
    if (!plain_ascii(out)) {  // ASCII is its own NFC
        std::string again = nfc(out);
        if (again != out) out = finish(std::string(truncate_utf8(again, max_bytes)));
    }
    return out;
}

bool is_output_extension(std::string_view ext) {
    return ext == "wav" || ext == "flac" || ext == "ogg" || ext == "aiff" || ext == "npy";
}

}  // namespace vr
