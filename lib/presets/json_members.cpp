// SPDX-License-Identifier: GPL-3.0-or-later
#include "presets/json_members.hpp"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/error.hpp"
#include "presets/utf8_char.hpp"

namespace vr {

namespace {

class reader {
public:
    reader(std::string_view s, std::size_t base) : s_(s), base_(base) {}

    std::vector<json_member> document() {
        space();
        if (!at('{')) fail(i_ == s_.size() ? "the end of the text where a JSON object should start"
                                           : "not the start of a JSON object");
        std::vector<json_member> members;
        ++i_;
        space();
        if (at('}')) {
            ++i_;
        } else {
            for (;;) {
                json_member m;
                if (!at('"')) fail("expected a member's name in quotes");
                string(&m.key);
                colon();
                m.offset = base_ + i_;
                m.kind = kind_here();
                value(1, m.kind == json_member::type::string ? &m.text : nullptr);
                members.push_back(std::move(m));
                if (!next_or_end('}')) break;
            }
        }
        space();
        if (i_ != s_.size()) fail("more after the end of the JSON object");
        return members;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw format_error("byte " + std::to_string(base_ + i_) + ": " + what, base_ + i_);
    }
    bool at(char ch) const { return i_ < s_.size() && s_[i_] == ch; }
    void space() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
    }
    void colon() {
        space();
        if (!at(':')) fail("expected ':' after a member's name");
        ++i_;
        space();
    }
    // After a member or an element: true at ',', false at `close` (both passed).
    bool next_or_end(char close) {
        space();
        if (at(close)) {
            ++i_;
            return false;
        }
        if (i_ >= s_.size()) fail(std::string("the end of the text where ',' or '") + close + "' should be");
        if (!at(',')) fail(std::string("expected ',' or '") + close + "'");
        ++i_;
        space();
        return true;
    }

    json_member::type kind_here() const {
        if (i_ >= s_.size()) return json_member::type::null;
        switch (s_[i_]) {
            case '"': return json_member::type::string;
            case '{': return json_member::type::object;
            case '[': return json_member::type::array;
            case 't': case 'f': return json_member::type::boolean;
            case 'n': return json_member::type::null;
            default: return json_member::type::number;
        }
    }

    void value(int depth, std::string* keep) {
        if (i_ >= s_.size()) fail("the end of the text where a value should be");
        if (depth > max_json_depth) fail("nested deeper than " + std::to_string(max_json_depth) + " levels");
        switch (s_[i_]) {
            case '"': string(keep); return;
            case '{':
                ++i_;
                space();
                if (at('}')) {
                    ++i_;
                    return;
                }
                do {
                    if (!at('"')) fail("expected a member's name in quotes");
                    string(nullptr);
                    colon();
                    value(depth + 1, nullptr);
                } while (next_or_end('}'));
                return;
            case '[':
                ++i_;
                space();
                if (at(']')) {
                    ++i_;
                    return;
                }
                do value(depth + 1, nullptr);
                while (next_or_end(']'));
                return;
            case 't': word("true"); return;
            case 'f': word("false"); return;
            case 'n': word("null"); return;
            default: number(); return;
        }
    }

    void word(std::string_view w) {
        if (s_.substr(i_, w.size()) != w) fail("not a JSON value");
        i_ += w.size();
    }

    std::size_t digits() {
        std::size_t from = i_;
        while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
        return i_ - from;
    }

    void number() {
        std::size_t from = i_;
        if (at('-')) ++i_;
        std::size_t whole = 0;
        if (at('0')) {
            ++i_;
        } else if (i_ < s_.size() && s_[i_] >= '1' && s_[i_] <= '9') {
            whole = digits();
        } else {
            fail("not a JSON value");
        }
        if (at('.')) {
            ++i_;
            if (digits() == 0) fail("a number without digits after its '.'");
        }
        long exponent = 0;
        if (at('e') || at('E')) {
            ++i_;
            bool negative = at('-');
            if (at('+') || at('-')) ++i_;
            std::size_t e_from = i_;
            if (digits() == 0) fail("a number without digits in its exponent");
            for (std::size_t k = e_from; k < i_ && exponent < 100000; ++k) exponent = exponent * 10 + (s_[k] - '0');
            if (negative) exponent = -exponent;
        }
        // Well inside a double's range: no need to convert it.
        if (static_cast<long>(whole) + exponent < 300) return;
        std::string copy(s_.substr(from, i_ - from));
        if (!std::isfinite(std::strtod(copy.c_str(), nullptr))) {
            i_ = from;
            fail("a number past the range of a double");
        }
    }

    static int hex(char ch) {
        if (ch >= '0' && ch <= '9') return ch - '0';
        if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
        if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
        return -1;
    }
    std::uint32_t code_unit() {
        if (s_.size() - i_ < 4) fail("a \\u escape cut short");
        std::uint32_t u = 0;
        for (int k = 0; k < 4; ++k) {
            int h = hex(s_[i_]);
            if (h < 0) fail("not a hex digit in a \\u escape");
            ++i_;
            u = (u << 4) | static_cast<std::uint32_t>(h);
        }
        return u;
    }
    // One UTF-8 character from byte i_ (at least 0x80); its length.
    std::size_t utf8_char() const {
        std::uint32_t cp = 0;
        std::size_t n = utf8_char_at(s_, i_, cp);
        if (n == 0) fail("not UTF-8");
        return n;
    }

    // Moves past whole blocks of a string that hold no quote, no backslash,
    // no control character and no byte of 0x80 or more: Vital's wavetables
    // are strings of a hundred kilobytes, nearly all of a preset. Sixteen
    // bytes a step where SSE2 is (every x86-64), eight elsewhere.
    void skip_plain_words() {
#if defined(__SSE2__)
        const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
        while (s_.size() - i_ >= 16) {
            __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s_.data() + i_));
            // As signed bytes, those of 0x80 and more are below 0x20 too.
            __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, quote), _mm_cmpeq_epi8(b, backslash)),
                                           _mm_cmplt_epi8(b, space));
            auto mask = static_cast<unsigned>(_mm_movemask_epi8(special));
            if (mask != 0) {
                i_ += static_cast<std::size_t>(__builtin_ctz(mask));
                return;
            }
            i_ += 16;
        }
#endif
        constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
        while (s_.size() - i_ >= 8) {
            std::uint64_t w;
            std::memcpy(&w, s_.data() + i_, 8);
            std::uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
            // A zero byte in quote or backslash, a byte below 0x20, a high bit.
            std::uint64_t special = ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) |
                                    ((w - ones * 0x20) & ~w) | w;
            if (special & highs) return;
            i_ += 8;
        }
    }

    // A string at i_ (its opening quote); decoded into `keep` when given.
    void string(std::string* keep) {
        ++i_;
        for (;;) {
            std::size_t run = i_;
            skip_plain_words();
            while (i_ < s_.size()) {
                auto c = static_cast<unsigned char>(s_[i_]);
                if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
                ++i_;
            }
            if (keep) keep->append(s_.substr(run, i_ - run));
            if (i_ >= s_.size()) fail("the end of the text inside a string");
            auto c = static_cast<unsigned char>(s_[i_]);
            if (c == '"') {
                ++i_;
                return;
            }
            if (c < 0x20) fail("a control character inside a string");
            if (c >= 0x80) {
                std::size_t n = utf8_char();
                if (keep) keep->append(s_.substr(i_, n));
                i_ += n;
                continue;
            }
            ++i_;  // the backslash
            if (i_ >= s_.size()) fail("the end of the text inside a string");
            char e = s_[i_++];
            char plain = 0;
            switch (e) {
                case '"': case '\\': case '/': plain = e; break;
                case 'b': plain = '\b'; break;
                case 'f': plain = '\f'; break;
                case 'n': plain = '\n'; break;
                case 'r': plain = '\r'; break;
                case 't': plain = '\t'; break;
                case 'u': break;
                default: --i_, fail("an unknown escape in a string");
            }
            if (plain) {
                if (keep) *keep += plain;
                continue;
            }
            std::uint32_t cp = code_unit();
            if (cp >= 0xDC00 && cp <= 0xDFFF) fail("a lone low surrogate in a \\u escape");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (s_.substr(i_, 2) != "\\u") fail("a high surrogate without its low half");
                i_ += 2;
                std::uint32_t low = code_unit();
                if (low < 0xDC00 || low > 0xDFFF) fail("a high surrogate without its low half");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            }
            if (keep) append_utf8(*keep, cp);
        }
    }

    std::string_view s_;
    std::size_t base_;
    std::size_t i_ = 0;
};

}  // namespace

std::vector<json_member> read_json_members(std::string_view text, std::size_t base) {
    return reader(text, base).document();
}

const char* json_type_text(json_member::type kind) {
    switch (kind) {
        case json_member::type::string: return "a string";
        case json_member::type::number: return "a number";
        case json_member::type::object: return "an object";
        case json_member::type::array: return "an array";
        case json_member::type::boolean: return "a boolean";
        case json_member::type::null: return "null";
    }
    return "a value";
}

}  // namespace vr
