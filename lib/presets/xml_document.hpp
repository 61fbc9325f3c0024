// SPDX-License-Identifier: GPL-3.0-or-later
// A strict reader of small XML documents (plugin states saved as XML): the
// elements and their attributes, checked for well-formedness; text is
// checked and dropped.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vr {

struct xml_element {
    std::string name;
    std::vector<std::pair<std::string, std::string>> attributes;  // in document order, references decoded
    std::vector<xml_element> children;
    std::size_t offset = 0;  // where its '<' is

    // The value of attribute `key`, or null.
    const std::string* attribute(std::string_view key) const;
};

// Reads `text` as a whole XML 1.0 document in UTF-8 (a byte order mark and
// an XML declaration naming UTF-8 allowed): one root element, matched tags,
// unique attributes, quoted values, the five entities and character
// references, comments, processing instructions and CDATA. Refuses a
// DOCTYPE (no plugin state has one; it could declare entities) and nesting
// deeper than max_xml_depth. Throws format_error ("byte N: ...").
xml_element read_xml_document(std::string_view text);

inline constexpr int max_xml_depth = 256;

}  // namespace vr
