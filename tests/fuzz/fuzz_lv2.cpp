// SPDX-License-Identifier: GPL-3.0-or-later
#include <set>
#include <string>

#include "plugins/lv2_manifest.hpp"
#include "targets.hpp"

void vr_fuzz_lv2(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    // Any text reads as a list (an empty one for garbage); it never throws.
    auto entries = vr::parse_lv2_manifest(text, "/b/x.lv2");
    std::set<std::string> uris;
    for (const auto& e : entries) {
        vr_fuzz_require(uris.insert(e.uri).second);
        vr_fuzz_require(e.binary.empty() || e.binary.front() == '/');
    }
}
