// SPDX-License-Identifier: GPL-3.0-or-later
// fuzz_records' reader of the lines the record loop writes.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "targets.hpp"

// The checker's code is the harness's, not the parser's: VR_FUZZ_UNTRACED.
namespace vr_fuzz {

// What the checks ask of an output line that is not its input line passed
// on (an error record, as a rule): the same facts as record_facts gives, the
// last of two equal keys winning as there.
struct output_facts {
    bool failed = false;                // a JSON object whose "status" is "error"
    bool error_object = false;          // "error" is an object
    std::optional<std::uint64_t> line;  // error.line, a whole number
};

// A strict JSON reader (RFC 8259, the UTF-8 of strings and the surrogate
// pairs of \u escapes checked, a number past a double refused, as nlohmann
// reads) that allocates nothing: under ASan nlohmann's SAX parse of each
// error record, a string per key and value, cost the harness as much as
// the record loop itself.
class json_checker {
public:
    VR_FUZZ_UNTRACED explicit json_checker(std::string_view s) : s_(s) {}

    // Reads the whole text as one JSON object; false when it is anything else.
    VR_FUZZ_UNTRACED bool read(output_facts& facts) {
        facts_ = &facts;
        space();
        if (!at('{') || !value(0, slot::none)) return false;
        space();
        return i_ == s_.size();
    }

private:
    enum class slot { none, status, error, line };  // the fact a value sets
    static constexpr int max_depth = 1000;          // deeper than any output line

    VR_FUZZ_UNTRACED bool at(char ch) const { return i_ < s_.size() && s_[i_] == ch; }
    VR_FUZZ_UNTRACED void space() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
    }

    VR_FUZZ_UNTRACED bool value(int depth, slot where) {
        if (i_ >= s_.size() || depth > max_depth) return false;
        char ch = s_[i_];
        if (where == slot::status) facts_->failed = false;
        if (where == slot::error) {
            facts_->error_object = ch == '{';
            facts_->line.reset();
        }
        if (where == slot::line) facts_->line.reset();
        switch (ch) {
        case '{': return object(depth, where == slot::error);
        case '[': return array(depth);
        case '"': {
            char head[8];
            std::size_t n = 0;
            if (!string(head, n)) return false;
            if (where == slot::status) facts_->failed = n == 5 && std::string_view(head, 5) == "error";
            return true;
        }
        case 't': return word("true");
        case 'f': return word("false");
        case 'n': return word("null");
        default: return number(where == slot::line);
        }
    }

    // An object; `error_fields` when it is the top-level "error" value.
    VR_FUZZ_UNTRACED bool object(int depth, bool error_fields) {
        ++i_;
        space();
        if (at('}')) return ++i_, true;
        for (;;) {
            char head[8];
            std::size_t n = 0;
            if (!at('"') || !string(head, n)) return false;
            space();
            if (!at(':')) return false;
            ++i_;
            space();
            std::string_view key(head, std::min(n, sizeof head));
            bool whole = n <= sizeof head;  // the key is all in head
            slot where = slot::none;
            if (depth == 0 && whole && key == "status") where = slot::status;
            if (depth == 0 && whole && key == "error") where = slot::error;
            if (error_fields && whole && key == "line") where = slot::line;
            if (!value(depth + 1, where)) return false;
            space();
            if (at('}')) return ++i_, true;
            if (!at(',')) return false;
            ++i_;
            space();
        }
    }

    VR_FUZZ_UNTRACED bool array(int depth) {
        ++i_;
        space();
        if (at(']')) return ++i_, true;
        for (;;) {
            if (!value(depth + 1, slot::none)) return false;
            space();
            if (at(']')) return ++i_, true;
            if (!at(',')) return false;
            ++i_;
            space();
        }
    }

    VR_FUZZ_UNTRACED bool word(std::string_view w) {
        if (s_.substr(i_, w.size()) != w) return false;
        i_ += w.size();
        return true;
    }

    VR_FUZZ_UNTRACED bool digits() {
        std::size_t from = i_;
        while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
        return i_ > from;
    }

    // A number; a whole one without a sign sets error.line when `line`.
    VR_FUZZ_UNTRACED bool number(bool line) {
        std::size_t from = i_;
        bool whole = true;
        if (at('-')) ++i_, whole = false;
        if (at('0')) {
            ++i_;
        } else if (i_ < s_.size() && s_[i_] >= '1' && s_[i_] <= '9') {
            digits();
        } else {
            return false;
        }
        if (at('.')) {
            ++i_;
            if (!digits()) return false;
            whole = false;
        }
        if (at('e') || at('E')) {
            ++i_;
            if (at('+') || at('-')) ++i_;
            if (!digits()) return false;
            whole = false;
        }
        std::string_view text = s_.substr(from, i_ - from);
        if (whole) {
            std::uint64_t v = 0;
            bool fits = true;
            for (char d : text) {
                auto k = static_cast<std::uint64_t>(d - '0');
                if (v > (UINT64_MAX - k) / 10) fits = false;
                v = v * 10 + k;
            }
            if (fits) {
                if (line) facts_->line = v;
                return true;
            }
        }
        // nlohmann reads the rest as a double and refuses one past its range.
        char small[64];
        if (text.size() < sizeof small) {
            std::memcpy(small, text.data(), text.size());
            small[text.size()] = '\0';
            return std::isfinite(std::strtod(small, nullptr));
        }
        std::string copy(text);
        return std::isfinite(std::strtod(copy.c_str(), nullptr));
    }

    VR_FUZZ_UNTRACED static int hex(char ch) {
        if (ch >= '0' && ch <= '9') return ch - '0';
        if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
        if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
        return -1;
    }
    // Four hex digits after \u.
    VR_FUZZ_UNTRACED bool code_unit(std::uint32_t& u) {
        if (s_.size() - i_ < 4) return false;
        u = 0;
        for (int k = 0; k < 4; ++k) {
            int h = hex(s_[i_++]);
            if (h < 0) return false;
            u = (u << 4) | static_cast<std::uint32_t>(h);
        }
        return true;
    }

    VR_FUZZ_UNTRACED static void keep(char (&head)[8], std::size_t& n, std::uint32_t byte) {
        if (n < sizeof head) head[n] = static_cast<char>(byte);
        ++n;
    }
    // A \u escape's code point, kept as its UTF-8 bytes.
    VR_FUZZ_UNTRACED static void keep_code_point(char (&head)[8], std::size_t& n, std::uint32_t cp) {
        if (cp < 0x80) {
            keep(head, n, cp);
        } else if (cp < 0x800) {
            keep(head, n, 0xC0 | (cp >> 6));
            keep(head, n, 0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            keep(head, n, 0xE0 | (cp >> 12));
            keep(head, n, 0x80 | ((cp >> 6) & 0x3F));
            keep(head, n, 0x80 | (cp & 0x3F));
        } else {
            keep(head, n, 0xF0 | (cp >> 18));
            keep(head, n, 0x80 | ((cp >> 12) & 0x3F));
            keep(head, n, 0x80 | ((cp >> 6) & 0x3F));
            keep(head, n, 0x80 | (cp & 0x3F));
        }
    }

    // A string; its first 8 bytes (decoded) into head, its decoded length into n.
    VR_FUZZ_UNTRACED bool string(char (&head)[8], std::size_t& n) {
        ++i_;
        while (i_ < s_.size()) {
            auto c = static_cast<unsigned char>(s_[i_++]);
            if (c == '"') return true;
            if (c < 0x20) return false;
            if (c == '\\') {
                if (i_ >= s_.size()) return false;
                char e = s_[i_++];
                std::uint32_t cp = 0;
                switch (e) {
                case '"': case '\\': case '/': keep(head, n, static_cast<unsigned char>(e)); continue;
                case 'b': keep(head, n, '\b'); continue;
                case 'f': keep(head, n, '\f'); continue;
                case 'n': keep(head, n, '\n'); continue;
                case 'r': keep(head, n, '\r'); continue;
                case 't': keep(head, n, '\t'); continue;
                case 'u': break;
                default: return false;
                }
                if (!code_unit(cp)) return false;
                if (cp >= 0xDC00 && cp <= 0xDFFF) return false;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    std::uint32_t low = 0;
                    if (s_.substr(i_, 2) != "\\u") return false;
                    i_ += 2;
                    if (!code_unit(low) || low < 0xDC00 || low > 0xDFFF) return false;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                }
                keep_code_point(head, n, cp);
                continue;
            }
            keep(head, n, c);
            if (c < 0x80) continue;
            // UTF-8: the lead byte fixes the range of the first continuation.
            unsigned lo = 0x80, hi = 0xBF;
            int more;
            if (c >= 0xC2 && c <= 0xDF) more = 1;
            else if (c == 0xE0) more = 2, lo = 0xA0;
            else if (c == 0xED) more = 2, hi = 0x9F;
            else if (c >= 0xE1 && c <= 0xEF) more = 2;
            else if (c == 0xF0) more = 3, lo = 0x90;
            else if (c == 0xF4) more = 3, hi = 0x8F;
            else if (c >= 0xF1 && c <= 0xF3) more = 3;
            else return false;
            for (int k = 0; k < more; ++k, lo = 0x80, hi = 0xBF) {
                if (i_ >= s_.size()) return false;
                auto t = static_cast<unsigned char>(s_[i_++]);
                if (t < lo || t > hi) return false;
                keep(head, n, t);
            }
        }
        return false;
    }

    std::string_view s_;
    std::size_t i_ = 0;
    output_facts* facts_ = nullptr;
};

}  // namespace vr_fuzz
