// SPDX-License-Identifier: GPL-3.0-or-later
#include "presets/preset_fit.hpp"

#include <cctype>
#include <cstdint>
#include <cstdio>

#include "presets/fxp.hpp"

namespace vr {

namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool all_same_digit_pattern(const std::string& id) {
    // Placeholder class ids of unfinished plugins: 1234...5678 repeated, all zeros.
    return id == "12345678123456781234567812345678" || id == "00000000000000000000000000000000";
}

}  // namespace

bool plugin_id_matches(const loaded_preset& preset, const std::string& plugin_format, const std::string& plugin_id,
                       const std::string& plugin_name) {
    const std::string& want = preset.plugin_id;
    if (want.empty() || all_same_digit_pattern(want)) return true;
    if (preset.format == "vstpreset") return plugin_format == "vst3" && lower(want) == lower(plugin_id);
    if (preset.format == "serum2") return plugin_format == "vst3" && lower(plugin_name).find("serum") != std::string::npos;
    // fxp/fxb: the fxID as text ("Vrts" or 0x...).
    if (plugin_format == "vst2") return want == plugin_id;
    if (plugin_format == "vst3" && plugin_id.size() == 32 && (want.size() == 4 || want.size() == 10)) {
        std::uint32_t id = want.size() == 4 ? fx_id_from(want) : static_cast<std::uint32_t>(std::stoul(want.substr(2), nullptr, 16));
        char hex[9];
        std::snprintf(hex, sizeof hex, "%08x", id);
        return lower(plugin_id).substr(24) == hex;
    }
    return false;
}

std::string applied_as(const loaded_preset& preset, const std::string& plugin_format) {
    if (preset.format == "state" || preset.payload == preset_payload::raw_state) return "state";
    if (preset.payload == preset_payload::sysex) return "sysex";
    if (preset.format == "serum2" || preset.format == "vstpreset") return preset.format;
    std::string base = preset.format + (preset.payload == preset_payload::params ? "-params" : "-chunk");
    if (plugin_format == "vst3" && preset.payload == preset_payload::fx_chunk) base += "-as-vst3-state";
    return base;
}

}  // namespace vr
