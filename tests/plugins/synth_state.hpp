// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// vr-test-synth's state blob (layout in README.md) and the CRC-32 it reports.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace vr::test_synth {

inline constexpr std::uint32_t state_version = 1;

struct synth_state {
    std::vector<float> values;          // normalized values of parameters 0..n-1
    std::uint32_t program = 0;          // current program index
    std::vector<std::uint8_t> payload;  // opaque bytes, carried through
};

// CRC-32 of the bytes as zlib's crc32() computes it (reflected 0xEDB88320).
std::uint32_t crc32(const void* data, std::size_t size);

// The blob getStateInformation hands out.
std::vector<std::uint8_t> encode_state(const synth_state& s);

// The state in a blob, or nothing when the blob is not a well-formed state
// of this version (wrong magic or version, truncated, lengths past the end).
std::optional<synth_state> decode_state(const void* data, std::size_t size);

} // namespace vr::test_synth
