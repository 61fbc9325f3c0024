// SPDX-License-Identifier: GPL-3.0-or-later
// Serum 2 files read from disk, and converted states stored by content.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/beneath.hpp"
#include "presets/serum.hpp"

namespace vr {

// Reads a Serum file of at most about twice limits.max_cbor_size bytes
// (read_file's errors: record_error naming the path).
std::vector<std::uint8_t> read_serum_file(const std::string& path, const serum_limits& limits);

// Converts the preset at preset_path and stores its JUCE VST3 state in
// state_dir (created if missing) as <sha256 of the state>.vst3state, written
// atomically, or reuses the file already there with those bytes. Returns its
// absolute path. Throws record_error naming the preset (or the state file).
std::string store_serum_state(const std::string& preset_path, const std::string& state_dir,
                              const serum_limits& limits, const processor_markers& markers);

// The same into a state folder opened as an output root: a symbolic link
// in it (where the state goes) is refused, never written through or reused.
std::string store_serum_state(const std::string& preset_path, const beneath& state_dir,
                              const serum_limits& limits, const processor_markers& markers);

}  // namespace vr
