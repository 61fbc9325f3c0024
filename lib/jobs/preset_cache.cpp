// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobs/preset_cache.hpp"

#include "core/error.hpp"

namespace vr {

std::shared_ptr<const loaded_preset> preset_cache::preset(const std::string& path, std::optional<int> program) {
    return get({path, program.value_or(-1), 0}, [&] { return load_preset(path, program); });
}

std::shared_ptr<const loaded_preset> preset_cache::state(const std::string& path) {
    return get({path, -1, 1}, [&] { return load_state(path); });
}

std::shared_ptr<const loaded_preset> preset_cache::sysex(const std::string& path) {
    return get({path, -1, 2}, [&] { return load_sysex(path); });
}

std::shared_ptr<const loaded_preset> preset_cache::get(const key& k, const std::function<loaded_preset()>& load) {
    if (auto e = errors_.find(k); e != errors_.end()) throw record_error(e->second);
    if (auto it = presets_.find(k); it != presets_.end()) return it->second;
    if (presets_.size() + errors_.size() >= max_entries) {
        presets_.clear();
        errors_.clear();
    }
    try {
        auto p = std::make_shared<const loaded_preset>(load());
        presets_.emplace(k, p);
        return p;
    } catch (const record_error& e) {
        errors_.emplace(k, e.what());
        throw;
    }
}

}  // namespace vr
