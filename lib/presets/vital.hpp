// SPDX-License-Identifier: GPL-3.0-or-later
// Vital presets (.vital): a JSON object with Vital's keys. The plugin's
// own state is the same document, so the file is what a host hands over.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace vr {

// The magic a .vital file starts with: Vital writes its keys sorted and
// without white space, and "author" sorts first.
inline constexpr std::string_view vital_magic = "{\"author\":";

// What a Vital preset says about itself; empty where it says nothing.
struct vital_preset {
    std::string name;           // preset_name (older Vitals left it out)
    std::string author;
    std::string style;          // preset_style
    std::string synth_version;  // the Vital that saved it: "1.0.7"
};

// Reads a whole .vital file: the JSON is checked from its first byte to its
// last (synth_version comes after the settings, a few hundred kilobytes in).
// Throws format_error naming the byte for broken JSON or a key of the wrong
// type, not_a_preset for a JSON object that is not a Vital preset (no
// settings object, or no synth_version).
vital_preset read_vital_preset(std::span<const std::uint8_t> bytes);

}  // namespace vr
