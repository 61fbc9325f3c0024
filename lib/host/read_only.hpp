// SPDX-License-Identifier: GPL-3.0-or-later
// Which of a hosted VST3 plugin's parameters are read-only, matched by id
// between JUCE's list and the plugin's controller (no JUCE here: unit-tested).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vr::host {

// A parameter as a VST3 controller lists it: its ParamID and its
// kIsReadOnly flag.
struct vst3_param {
    std::uint32_t id = 0;
    bool read_only = false;
};

// Each of `ids` (JUCE's getParameterID of a hosted VST3 parameter: its
// ParamID in decimal), in order, read-only or not as `listed` says;
// nullopt when an id is no ParamID, is not listed, or `listed` holds an id
// twice: then no parameter is labelled by a guess.
std::optional<std::vector<bool>> read_only_by_id(const std::vector<std::string>& ids,
                                                 const std::vector<vst3_param>& listed);

}  // namespace vr::host
