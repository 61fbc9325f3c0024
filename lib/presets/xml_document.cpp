// SPDX-License-Identifier: GPL-3.0-or-later
#include "presets/xml_document.hpp"

#include <algorithm>
#include <cstdint>

#include "core/error.hpp"
#include "presets/utf8_char.hpp"

namespace vr {

const std::string* xml_element::attribute(std::string_view key) const {
    for (const auto& [k, v] : attributes)
        if (k == key) return &v;
    return nullptr;
}

namespace {

bool name_start(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80;
}
bool name_char(unsigned char c) { return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }

// XML 1.0's Char, for a code point.
bool xml_char(std::uint32_t cp) {
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

class reader {
public:
    explicit reader(std::string_view s) : s_(s) {}

    xml_element document() {
        check_characters();
        if (s_.substr(0, 3) == "\xEF\xBB\xBF") i_ = 3;
        if (s_.substr(i_, 5) == "<?xml" && i_ + 5 < s_.size() && space_at(i_ + 5)) declaration();
        misc();
        if (!at('<')) fail(i_ == s_.size() ? "no root element" : "text before the root element");
        if (s_.substr(i_, 9) == "<!DOCTYPE") fail("a DOCTYPE, which no plugin state has");
        xml_element root = element(1);
        misc();
        if (i_ != s_.size()) fail("more after the root element");
        return root;
    }

private:
    [[noreturn]] void fail(const std::string& what) const { fail_at(i_, what); }
    [[noreturn]] static void fail_at(std::size_t at, const std::string& what) {
        throw format_error("byte " + std::to_string(at) + ": " + what, at);
    }
    bool at(char ch) const { return i_ < s_.size() && s_[i_] == ch; }
    bool space_at(std::size_t k) const {
        return k < s_.size() && (s_[k] == ' ' || s_[k] == '\t' || s_[k] == '\n' || s_[k] == '\r');
    }
    bool space() {
        std::size_t from = i_;
        while (space_at(i_)) ++i_;
        return i_ > from;
    }
    void expect(std::string_view w, const char* what) {
        if (i_ >= s_.size()) fail(std::string("the end of the text where ") + what + " should be");
        if (s_.substr(i_, w.size()) != w) fail(std::string("expected ") + what);
        i_ += w.size();
    }

    // The whole text: UTF-8, and only the characters XML allows.
    void check_characters() const {
        for (std::size_t k = 0; k < s_.size();) {
            auto c = static_cast<unsigned char>(s_[k]);
            if (c < 0x80) {
                if (!xml_char(c)) fail_at(k, "a control character XML does not allow");
                ++k;
                continue;
            }
            std::uint32_t cp = 0;
            std::size_t n = utf8_char_at(s_, k, cp);
            if (n == 0) fail_at(k, "not UTF-8");
            if (!xml_char(cp)) fail_at(k, "not UTF-8 XML text");
            k += n;
        }
    }

    std::string name() {
        std::size_t from = i_;
        if (i_ >= s_.size() || !name_start(static_cast<unsigned char>(s_[i_]))) fail("expected a name");
        while (i_ < s_.size() && name_char(static_cast<unsigned char>(s_[i_]))) ++i_;
        return std::string(s_.substr(from, i_ - from));
    }

    // A reference after its '&': decoded onto `out`.
    void reference(std::string& out) {
        std::size_t from = i_ - 1;
        if (at('#')) {
            ++i_;
            bool hex = at('x');
            if (hex) ++i_;
            std::uint32_t cp = 0;
            std::size_t digits = 0;
            for (; i_ < s_.size() && s_[i_] != ';'; ++i_, ++digits) {
                char c = s_[i_];
                int d = c >= '0' && c <= '9' ? c - '0'
                        : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
                if (d < 0) fail_at(from, "a malformed character reference");
                cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
                if (cp > 0x10FFFF) fail_at(from, "a character reference past Unicode");
            }
            if (!at(';') || digits == 0 || !xml_char(cp)) fail_at(from, "a malformed character reference");
            ++i_;
            append_utf8(out, cp);
            return;
        }
        std::string n = name();
        if (!at(';')) fail_at(from, "a malformed entity reference");
        ++i_;
        if (n == "lt") out += '<';
        else if (n == "gt") out += '>';
        else if (n == "amp") out += '&';
        else if (n == "quot") out += '"';
        else if (n == "apos") out += '\'';
        else fail_at(from, "the undeclared entity &" + n + ";");
    }
    std::string quoted() {
        if (!at('"') && !at('\'')) fail("expected a quoted value");
        char q = s_[i_++];
        std::string v;
        for (;;) {
            if (i_ >= s_.size()) fail("the end of the text inside a quoted value");
            char c = s_[i_++];
            if (c == q) return v;
            if (c == '<') fail_at(i_ - 1, "'<' inside a quoted value");
            if (c == '&') reference(v);
            else v += c;
        }
    }

    void declaration() {
        i_ += 5;
        bool version = false;
        for (;;) {
            bool spaced = space();
            if (s_.substr(i_, 2) == "?>") break;
            if (!spaced) fail("expected white space in the XML declaration");
            std::string key = name();
            space();
            expect("=", "'=' in the XML declaration");
            space();
            std::size_t value_at = i_;
            std::string value = quoted();
            if (key == "version") {
                version = value == "1.0" || value == "1.1";
                if (!version) fail_at(value_at, "XML version " + value);
            } else if (key == "encoding") {
                std::string lower = value;
                std::transform(lower.begin(), lower.end(), lower.begin(),
                               [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
                if (lower != "utf-8" && lower != "utf8") fail_at(value_at, "encoding " + value + " (only UTF-8 is read)");
            } else if (key != "standalone") {
                fail_at(value_at, "an unknown key in the XML declaration");
            }
        }
        if (!version) fail("an XML declaration without its version");
        i_ += 2;
    }

    // Comments, processing instructions and white space.
    void misc() {
        for (;;) {
            space();
            if (s_.substr(i_, 4) == "<!--") comment();
            else if (s_.substr(i_, 2) == "<?") instruction();
            else return;
        }
    }
    void comment() {
        std::size_t from = i_;
        i_ += 4;
        auto end = s_.find("--", i_);
        if (end == std::string_view::npos) fail_at(from, "a comment without its end");
        if (s_.substr(end, 3) != "-->") fail_at(end, "'--' inside a comment");
        i_ = end + 3;
    }
    void instruction() {
        std::size_t from = i_;
        i_ += 2;
        std::string target = name();
        std::string lower = target;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
        if (lower == "xml") fail_at(from, "an XML declaration that is not at the start");
        auto end = s_.find("?>", i_);
        if (end == std::string_view::npos) fail_at(from, "a processing instruction without its end");
        if (end != i_ && !space_at(i_)) fail("expected white space after a processing instruction's name");
        i_ = end + 2;
    }

    xml_element element(int depth) {
        if (depth > max_xml_depth) fail("elements nested deeper than " + std::to_string(max_xml_depth));
        xml_element e;
        e.offset = i_;
        ++i_;  // '<'
        e.name = name();
        for (;;) {
            bool spaced = space();
            if (at('>') || s_.substr(i_, 2) == "/>") break;
            if (!spaced) fail("expected white space, '>' or '/>' in a start tag");
            std::size_t key_at = i_;
            std::string key = name();
            space();
            expect("=", "'=' after an attribute's name");
            space();
            std::string value = quoted();
            if (e.attribute(key)) fail_at(key_at, "the attribute " + key + " given twice");
            e.attributes.emplace_back(std::move(key), std::move(value));
        }
        if (at('/')) {
            i_ += 2;
            return e;
        }
        ++i_;
        content(e, depth);
        return e;
    }

    void content(xml_element& e, int depth) {
        std::string ignored;
        for (;;) {
            if (i_ >= s_.size()) fail_at(e.offset, "<" + e.name + "> without its end tag");
            char c = s_[i_];
            if (c == '&') {
                ++i_;
                ignored.clear();
                reference(ignored);
            } else if (c != '<') {
                if (c == ']' && s_.substr(i_, 3) == "]]>") fail("']]>' in text");
                ++i_;
            } else if (s_.substr(i_, 2) == "</") {
                i_ += 2;
                std::size_t name_at = i_;
                std::string closing = name();
                if (closing != e.name)
                    fail_at(name_at, "</" + closing + "> closes <" + e.name + "> of byte " + std::to_string(e.offset));
                space();
                expect(">", "'>' to end an end tag");
                return;
            } else if (s_.substr(i_, 4) == "<!--") {
                comment();
            } else if (s_.substr(i_, 9) == "<![CDATA[") {
                auto end = s_.find("]]>", i_ + 9);
                if (end == std::string_view::npos) fail("a CDATA section without its end");
                i_ = end + 3;
            } else if (s_.substr(i_, 2) == "<?") {
                instruction();
            } else if (s_.substr(i_, 2) == "<!") {
                fail("a markup declaration inside an element");
            } else {
                e.children.push_back(element(depth + 1));
            }
        }
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

}  // namespace

xml_element read_xml_document(std::string_view text) { return reader(text).document(); }

}  // namespace vr
