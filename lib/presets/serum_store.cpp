// SPDX-License-Identifier: GPL-3.0-or-later
// Serum 2 presets on disk: reading them under the size caps, and storing
// their converted states by content.
#include <filesystem>
#include <limits>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "presets/serum.hpp"
#include "presets/serum_store.hpp"

namespace vr {

std::vector<std::uint8_t> read_serum_file(const std::string& path, const serum_limits& limits) {
    // The file holds the payload compressed, or JUCE base64 of it: allow slack.
    constexpr std::size_t slack = 1u << 20;
    std::size_t cap = limits.max_cbor_size;
    cap = cap > (std::numeric_limits<std::size_t>::max() - slack) / 2 ? cap : cap * 2 + slack;
    return read_file(path, cap);
}

std::string store_serum_state(const std::string& preset_path, const beneath& state_dir,
                              const serum_limits& limits, const processor_markers& markers) {
    serum_state state;
    try {
        state = convert_serum_preset(read_serum_file(preset_path, limits), limits, markers);
    } catch (const format_error& e) {
        throw record_error(preset_path + ": " + e.what());
    }
    std::string target = state_dir.root() + "/" + sha256_hex(state.blob) + ".vst3state";
    // Same name, same bytes: a rerun reuses the file unless it was damaged
    // (exists() refuses a link there: one is never taken for the state).
    std::error_code ec;
    if (state_dir.exists(target) && std::filesystem::file_size(target, ec) == state.blob.size() && !ec) {
        try {
            if (read_file(target, state.blob.size()) == state.blob) return target;
        } catch (const record_error&) {
        }
    }
    state_dir.write_file_atomic(target, state.blob);
    return target;
}

std::string store_serum_state(const std::string& preset_path, const std::string& state_dir,
                              const serum_limits& limits, const processor_markers& markers) {
    return store_serum_state(preset_path, beneath(state_dir, true), limits, markers);
}

}  // namespace vr
