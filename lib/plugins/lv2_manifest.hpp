// SPDX-License-Identifier: GPL-3.0-or-later
// An LV2 bundle's manifest.ttl, read for what render-one needs to name and
// hash a plugin: each lv2:Plugin's URI and the shared object it lives in.
// Full Turtle is lilv's business (and JUCE's, which bundles it); this reads
// the subset manifests are written in: @prefix, IRIs, prefixed names, `a`,
// `;` and `,` lists, strings and comments. No JUCE here.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace vr {

struct lv2_plugin_entry {
    std::string uri;
    std::string binary;  // absolute path of its lv2:binary, "" when it names none
};

// The plugins manifest.ttl in bundle declares, in file order. Throws
// record_error naming the manifest when it cannot be read or declares none.
std::vector<lv2_plugin_entry> read_lv2_manifest(const std::string& bundle);

// The same, from a manifest's text; relative IRIs are taken against bundle.
std::vector<lv2_plugin_entry> parse_lv2_manifest(const std::string& text, const std::string& bundle);

// The folders JUCE's LV2 host looks for bundles in, in its order:
// ~/.lv2, then /usr/lib/lv2 and /usr/local/lib/lv2 (their lib64 twins
// where those exist).
std::vector<std::string> lv2_search_folders();

// The bundle among folders' *.lv2 that declares uri, first found first;
// none when no manifest there declares it.
std::optional<std::string> find_lv2_bundle(const std::string& uri, const std::vector<std::string>& folders);

}  // namespace vr
