// SPDX-License-Identifier: GPL-3.0-or-later
#include "plugins/turtle.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace vr {

turtle_token turtle_lexer::next() {
    skip_space();
    if (i_ >= s_.size()) return {turtle_kind::end, ""};
    char c = s_[i_];
    if (c == '<') {
        auto close = s_.find('>', i_);
        if (close == std::string::npos) close = s_.size();
        turtle_token t{turtle_kind::iri, s_.substr(i_ + 1, close - i_ - 1)};
        i_ = std::min(close + 1, s_.size());
        return t;
    }
    if (c == '"' || c == '\'') return literal(c);
    if (std::string_view(";,.[]()").find(c) != std::string_view::npos) {
        ++i_;
        return {turtle_kind::punct, std::string(1, c)};
    }
    std::size_t start = i_;
    while (i_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[i_])) &&
           std::string_view(";,<>\"'[]()#").find(s_[i_]) == std::string_view::npos)
        ++i_;
    // A name does not end in '.': that dot ends the statement.
    while (i_ > start + 1 && s_[i_ - 1] == '.') --i_;
    if (i_ == start) ++i_;  // a lone character nothing else takes
    return {turtle_kind::name, s_.substr(start, i_ - start)};
}

void turtle_lexer::skip_space() {
    while (i_ < s_.size()) {
        if (std::isspace(static_cast<unsigned char>(s_[i_]))) {
            ++i_;
        } else if (s_[i_] == '#') {
            while (i_ < s_.size() && s_[i_] != '\n') ++i_;
        } else {
            break;
        }
    }
}

// A quoted literal, short or long, its escapes read (\uXXXX kept as
// written); a language tag or datatype after it is read past.
turtle_token turtle_lexer::literal(char q) {
    std::string three(3, q), value;
    bool longer = s_.compare(i_, 3, three) == 0;
    i_ += longer ? 3 : 1;
    while (i_ < s_.size()) {
        char c = s_[i_];
        if (c == '\\' && i_ + 1 < s_.size()) {
            char e = s_[i_ + 1];
            value += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
            if (e == 'u' || e == 'U') value.insert(value.size() - 1, 1, '\\');
            i_ += 2;
        } else if (longer ? s_.compare(i_, 3, three) == 0 : c == q) {
            i_ += longer ? 3 : 1;
            break;
        } else if (!longer && c == '\n') {
            break;
        } else {
            value += c;
            ++i_;
        }
    }
    if (i_ < s_.size() && s_[i_] == '@') {
        ++i_;
        while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-')) ++i_;
    } else if (s_.compare(i_, 2, "^^") == 0) {
        i_ += 2;
        next();  // the datatype
    }
    return {turtle_kind::literal, value};
}

turtle_reader::turtle_reader(const std::string& text) : lex_(text) { advance(); }

bool turtle_reader::directive() {
    if (t_.k != turtle_kind::name) return false;
    if (t_.text == "@prefix" || t_.text == "PREFIX" || t_.text == "prefix") {
        bool turtle = t_.text == "@prefix";  // SPARQL's form ends without a '.'
        advance();
        std::string name = t_.k == turtle_kind::name ? t_.text : "";
        advance();
        if (t_.k == turtle_kind::iri && name.ends_with(':')) prefixes_[name.substr(0, name.size() - 1)] = t_.text;
        advance();
        if (turtle && at(turtle_kind::punct, ".")) advance();
        return true;
    }
    if (t_.text == "@base" || t_.text == "BASE" || t_.text == "base") {
        while (!at_end() && !at(turtle_kind::punct, ".")) advance();
        advance();
        return true;
    }
    return false;
}

std::string turtle_reader::expand(const std::string& name) const {
    if (name == "a") return "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
    if (name.starts_with("_:")) return name;
    auto colon = name.find(':');
    if (colon == std::string::npos) return "";
    auto p = prefixes_.find(name.substr(0, colon));
    return p == prefixes_.end() ? "" : p->second + name.substr(colon + 1);
}

void turtle_reader::skip_group() {
    int depth = 0;
    do {
        if (at(turtle_kind::punct, "[") || at(turtle_kind::punct, "(")) ++depth;
        if (at(turtle_kind::punct, "]") || at(turtle_kind::punct, ")")) --depth;
        advance();
    } while (depth > 0 && !at_end());
}

}  // namespace vr
