// SPDX-License-Identifier: GPL-3.0-or-later
// The tokens of the Turtle that LV2 bundles are written in, for the readers
// of manifests and plugin files (render/lv2_manifest, render/plugin_scan_ttl):
// IRIs, prefixed names and keywords, quoted literals (escapes read, a
// language tag or datatype after them read past), punctuation, comments
// skipped. Never throws: text that is not Turtle gives tokens all the same,
// and the readers make what they can of them.
#pragma once
#include <cstddef>
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

}  // namespace vr
