// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <span>

#include "records.hpp"

namespace vr {

// The XferJson envelope of a .SerumPreset file or of Serum 2's own state.
struct xfer_envelope {
    json meta;                                  // the JSON header (an object)
    std::uint32_t cbor_size;                    // declared uncompressed CBOR size
    std::uint32_t format_version;               // 2 for Serum 2
    std::span<const std::uint8_t> payload;      // the zstd frame (view into the input)
};

// Parses the XferJson envelope of a .SerumPreset or Serum state; validates the
// magic, the lengths against the buffer, and that the header is a JSON object.
// Throws vr::format_error saying what is wrong and at which byte.
xfer_envelope parse_xfer_envelope(std::span<const std::uint8_t> bytes);

}  // namespace vr
