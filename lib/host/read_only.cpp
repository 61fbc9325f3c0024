// SPDX-License-Identifier: GPL-3.0-or-later
#include "host/read_only.hpp"

#include <charconv>
#include <unordered_map>

namespace vr::host {

std::optional<std::vector<bool>> read_only_by_id(const std::vector<std::string>& ids,
                                                 const std::vector<vst3_param>& listed) {
    std::unordered_map<std::uint32_t, bool> by_id;
    for (const auto& p : listed)
        if (!by_id.emplace(p.id, p.read_only).second) return std::nullopt;
    std::vector<bool> out;
    out.reserve(ids.size());
    for (const auto& text : ids) {
        std::uint32_t id = 0;
        const char* end = text.data() + text.size();
        const auto [at, err] = std::from_chars(text.data(), end, id);
        if (text.empty() || err != std::errc() || at != end) return std::nullopt;
        const auto found = by_id.find(id);
        if (found == by_id.end()) return std::nullopt;
        out.push_back(found->second);
    }
    return out;
}

}  // namespace vr::host
