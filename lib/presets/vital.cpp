// SPDX-License-Identifier: GPL-3.0-or-later
#include "presets/vital.hpp"

#include "core/error.hpp"
#include "presets/detect.hpp"
#include "presets/json_members.hpp"

namespace vr {

vital_preset read_vital_preset(std::span<const std::uint8_t> bytes) {
    std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    auto members = read_json_members(text);
    vital_preset p;
    bool settings = false, version = false;
    for (const auto& m : members) {
        std::string* field = m.key == "preset_name"     ? &p.name
                             : m.key == "author"        ? &p.author
                             : m.key == "preset_style"  ? &p.style
                             : m.key == "synth_version" ? &p.synth_version
                                                        : nullptr;
        if (m.key == "settings") {
            if (m.kind != json_member::type::object)
                throw format_error("byte " + std::to_string(m.offset) + ": Vital's \"settings\" is " +
                                       json_type_text(m.kind) + ", not an object",
                                   m.offset);
            settings = true;
        }
        if (!field) continue;
        if (m.kind != json_member::type::string)
            throw format_error("byte " + std::to_string(m.offset) + ": Vital's \"" + m.key + "\" is " +
                                   json_type_text(m.kind) + ", not a string",
                               m.offset);
        *field = m.text;
        if (field == &p.synth_version) version = true;
    }
    if (!settings) throw not_a_preset("a JSON object without Vital's \"settings\"");
    if (!version) throw not_a_preset("a JSON object without Vital's \"synth_version\"");
    return p;
}

}  // namespace vr
