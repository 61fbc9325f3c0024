// SPDX-License-Identifier: GPL-3.0-or-later
// The preset-to-processor rewrite of FORMATS.md, rules 1-4, as established
// against Serum 2.1.4: the preset is a delta from defaults plus UI state.
#include <algorithm>
#include <array>
#include <string_view>

#include "presets/serum.hpp"
#include "presets/serum_rewrite.hpp"

namespace vr {

namespace {

// Rule 1: top-level keys that exist only in presets.
constexpr std::array<std::string_view, 14> preset_only_keys = {
    "ClipPlayer",  "Filter",       "SerumGUI",          "arpBankDisplayName", "clipBankDisplayName",
    "GranularOsc", "MultiSampleOsc", "Osc",             "SpectralOsc",        "WTOsc",
    "fileType",    "presetName",   "presetAuthor",      "presetDescription",
};

// Rule 3: preset-only sub-keys of numbered modules, by module prefix.
struct module_keys {
    std::string_view prefix;
    std::array<std::string_view, 5> keys;  // empty ones unused
};
constexpr std::array<module_keys, 4> preset_only_module_keys = {{
    {"Macro", {"name"}},
    {"FXRack", {"displayName"}},
    {"MidiClip", {"displayLength_Beats", "gridWidth_Beats", "gridYOffset_Rows", "laneTabs", "name"}},
    {"PitchQuantizer", {"scaleName"}},
}};

// True when key is prefix followed by one or more digits and nothing else.
bool is_numbered(std::string_view key, std::string_view prefix) {
    if (key.size() <= prefix.size() || key.substr(0, prefix.size()) != prefix) return false;
    return std::all_of(key.begin() + static_cast<std::ptrdiff_t>(prefix.size()), key.end(),
                       [](char c) { return c >= '0' && c <= '9'; });
}

// Rule 2, everywhere in the tree (depth is bounded by the decoder's limits).
void replace_default_plain_params(cbor_value& v) {
    for (auto& [key, value] : v.entries) {
        if (key == "plainParams" && value.type == cbor_value::kind::text && value.text == "default")
            value = cbor_value::empty_map();
        else
            replace_default_plain_params(value);
    }
    for (auto& item : v.items) replace_default_plain_params(item);
}

}  // namespace

void rewrite_preset_to_processor(cbor_value& preset, const processor_markers& markers) {
    for (auto key : preset_only_keys) preset.erase(key);
    replace_default_plain_params(preset);
    for (auto& [key, module] : preset.entries) {
        if (!module.is_map()) continue;
        for (const auto& m : preset_only_module_keys)
            if (is_numbered(key, m.prefix))
                for (auto sub : m.keys)
                    if (!sub.empty()) module.erase(sub);
        if (is_numbered(key, "Arp") && !module.find("activeClip"))
            module.set("activeClip", cbor_value::unsigned_int(0));
    }
    preset.set("component", cbor_value::string("processor"));
    preset.set("killEnvsGracefullyCompat", cbor_value::boolean_value(true));
    preset.set("productVersion", cbor_value::string(markers.product_version));
    preset.set("version", cbor_value::float32(static_cast<float>(markers.version)));
    sort_cbor_keys(preset);
}

}  // namespace vr
