// SPDX-License-Identifier: GPL-3.0-or-later
// Decoding untrusted CBOR (through libcbor) into a cbor_value.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

#include "presets/cbor_value.hpp"

namespace vr {

// Limits on what decode_cbor accepts from untrusted bytes.
struct cbor_limits {
    std::size_t max_depth = 512;          // nesting of arrays, maps and tags
    std::size_t max_items = 4u << 20;     // data items in all
};

// Decodes exactly one CBOR item spanning all of data, through libcbor's
// streaming decoder (no recursion: nesting is bounded by limits.max_depth).
// Throws format_error naming the byte (plus base_offset) for truncated or
// malformed CBOR, trailing bytes, a non-text map key, a duplicate map key,
// invalid UTF-8, or input past the limits.
cbor_value decode_cbor(std::span<const std::uint8_t> data, const cbor_limits& limits = {},
                       std::size_t base_offset = 0);

}  // namespace vr
