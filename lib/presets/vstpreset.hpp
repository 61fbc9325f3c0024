// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vr {

// One entry of a .vstpreset's chunk list; `bytes` is a view into the input.
struct vst3_chunk {
    std::string id;             // four printable ASCII characters: 'Comp', 'Cont', 'Info', ...
    std::uint64_t offset = 0;   // as written, checked to lie within the file
    std::uint64_t size = 0;
    std::span<const std::uint8_t> bytes;
};

// A parsed VST3 preset file. Views point into the buffer given to parse_vstpreset.
struct vst3_preset {
    std::int32_t version = 1;
    std::string class_id;           // 32 hex digits, as written
    std::uint64_t list_offset = 0;  // where the 'List' chunk list is
    std::vector<vst3_chunk> chunks; // in file order; ids are unique
    // The entry with this id, or nullptr.
    const vst3_chunk* find(std::string_view id) const;
    // The component state ('Comp'): always present in a parsed preset.
    std::span<const std::uint8_t> component() const;
    // The controller state ('Cont') and the XML metadata ('Info'), when present
    // (a present chunk may be empty).
    std::optional<std::span<const std::uint8_t>> controller() const;
    std::optional<std::span<const std::uint8_t>> info() const;
};

// Parses and validates a whole .vstpreset: the 'VST3' header, a class id of
// 32 hex digits, the chunk list and every entry's span within the file.
// Accepts placeholder class ids, component-only files and empty chunks.
// Throws format_error with the byte offset for anything else, and says what
// the file looks like when it is not a VST3 preset at all (an Apple property
// list, for one).
vst3_preset parse_vstpreset(std::span<const std::uint8_t> bytes);

}  // namespace vr
