// SPDX-License-Identifier: GPL-3.0-or-later
#include <span>
#include <string_view>

#include "core/error.hpp"
#include "core/records.hpp"
#include "presets/detect.hpp"
#include "presets/json_members.hpp"
#include "presets/vital.hpp"
#include "targets.hpp"

namespace {

// nlohmann's reading of the same text: an object, or nothing.
VR_FUZZ_UNTRACED bool nlohmann_object(std::string_view text, vr::json& out) {
    try {
        out = vr::json::parse(text);
    } catch (const vr::json::exception&) {
        return false;
    }
    return out.is_object();
}

}  // namespace

void vr_fuzz_vital(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> bytes(data, size);
    std::string_view text(reinterpret_cast<const char*>(data), size);
    vr::json want;
    bool theirs = nlohmann_object(text, want);
    std::vector<vr::json_member> members;
    bool ours = true;
    try {
        members = vr::read_json_members(text);
    } catch (const vr::format_error& e) {
        ours = false;
        vr_fuzz_require(e.offset <= size);
        // Where the two disagree, ours is the stricter: nesting past its
        // limit, or a byte order mark, which nlohmann skips.
        if (theirs)
            vr_fuzz_require(std::string_view(e.what()).find("nested deeper") != std::string_view::npos ||
                            text.starts_with("\xEF\xBB\xBF"));
    }
    if (ours) {
        // Ours read an object: so did nlohmann, with the same members (the
        // last of two equal keys is the one nlohmann keeps).
        vr_fuzz_require(theirs);
        for (const vr::json_member& m : members) {
            auto it = want.find(m.key);
            vr_fuzz_require(it != want.end() && m.offset < size);
            bool last = true;
            for (const auto& other : members) last = last && (&other <= &m || other.key != m.key);
            if (!last) continue;
            if (m.kind == vr::json_member::type::string) vr_fuzz_require(it->is_string() && it->get_ref<const std::string&>() == m.text);
            if (m.kind == vr::json_member::type::object) vr_fuzz_require(it->is_object());
            if (m.kind == vr::json_member::type::array) vr_fuzz_require(it->is_array());
            if (m.kind == vr::json_member::type::number) vr_fuzz_require(it->is_number());
        }
    }
    vr::vital_preset p;
    try {
        p = vr::read_vital_preset(bytes);
    } catch (const vr::record_error&) {
        return;
    }
    vr_fuzz_require(ours && want.contains("settings") && want["settings"].is_object());
    vr_fuzz_require(want["synth_version"] == p.synth_version);
}
