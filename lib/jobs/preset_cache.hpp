// SPDX-License-Identifier: GPL-3.0-or-later
// Presets and state files parsed once while a worker renders many jobs of
// them: the file's bytes are read and checked on first use, and so is a
// file's error, given again to every later job that names it. No JUCE here.
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>

#include "presets/load.hpp"

namespace vr {

class preset_cache {
public:
    // Entries (presets and errors) held at most: a long batch of distinct
    // files clears the cache now and then rather than grow with it.
    static constexpr std::size_t max_entries = 256;

    // load_preset(path, program), or what it threw (a record_error with its
    // message), from the cache after the first call.
    std::shared_ptr<const loaded_preset> preset(const std::string& path, std::optional<int> program);
    // load_state(path), likewise.
    std::shared_ptr<const loaded_preset> state(const std::string& path);
    // load_sysex(path), likewise.
    std::shared_ptr<const loaded_preset> sysex(const std::string& path);

private:
    using key = std::tuple<std::string, int, int>;  // path, program (-1: none), what: 0 preset, 1 state, 2 SysEx
    std::shared_ptr<const loaded_preset> get(const key& k, const std::function<loaded_preset()>& load);
    std::map<key, std::shared_ptr<const loaded_preset>> presets_;
    std::map<key, std::string> errors_;
};

}  // namespace vr
