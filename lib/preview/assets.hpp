// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <string_view>

namespace vr {

// The preview page's inline style sheet (no external assets).
std::string_view preview_css();

// The preview page's inline script: filter, sort, search, paging. It reads
// the rows' data-* attributes and never builds HTML from strings.
std::string_view preview_js();

}  // namespace vr
