// SPDX-License-Identifier: GPL-3.0-or-later
// The Turtle that LV2 bundles are written in, as the readers of manifests
// and plugin files (plugins/lv2_manifest, plugins/plugin_scan_ttl) share it:
// the tokens, and the statements' common parts (directives, prefixed names,
// groups read past). Tokens:
// IRIs, prefixed names and keywords, quoted literals (escapes read, a
// language tag or datatype after them read past), punctuation, comments
// skipped. Never throws: text that is not Turtle gives tokens all the same,
// and the readers make what they can of them.
#pragma once
#include <cstddef>
#include <map>
#include <string>

namespace vr {

enum class turtle_kind { iri, name, literal, punct, end };

struct turtle_token {
    turtle_kind k;
    std::string text;  // an IRI without its <>, a name, a literal's value, one punctuation character
};

class turtle_lexer {
public:
    explicit turtle_lexer(const std::string& text) : s_(text) {}
    // The next token; turtle_kind::end at the end of the text, and after it.
    turtle_token next();

private:
    void skip_space();
    turtle_token literal(char q);
    const std::string& s_;
    std::size_t i_ = 0;
};

// What both readers share: the token at hand, the directives (@prefix,
// PREFIX, @base, BASE) read and their prefixes kept, names expanded. Each
// reader reads the statements' terms its own way on top of it.
class turtle_reader {
public:
    // Reads the first token.
    explicit turtle_reader(const std::string& text);
    const turtle_token& token() const { return t_; }
    void advance() { t_ = lex_.next(); }
    bool at(turtle_kind k, const char* text) const { return t_.k == k && t_.text == text; }
    bool at_end() const { return t_.k == turtle_kind::end; }
    // Reads a whole directive when one is at hand (true); a prefix it
    // declares is kept for expand. A base is read past (manifests use none).
    bool directive();
    // The full IRI a name stands for: "a" is rdf:type, a blank node's label
    // ("_:b1") stays as it is, a prefixed name is expanded; "" for a prefix
    // never declared or a word without a colon (a number, a boolean).
    std::string expand(const std::string& name) const;
    // Reads past a [ ] or ( ) term, nested ones included.
    void skip_group();

private:
    turtle_lexer lex_;
    turtle_token t_{turtle_kind::end, ""};
    std::map<std::string, std::string> prefixes_;
};

}  // namespace vr
