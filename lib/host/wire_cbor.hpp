// SPDX-License-Identifier: GPL-3.0-or-later
// The wire's messages (host/instance_wire.hpp) read back from CBOR. The
// writing side is nlohmann's to_cbor; its reading side, from_cbor, takes a
// byte string one byte at a time, and a render's answer is mostly one
// byte string, its audio: that loop was about 14% of the CPU of a batch of
// Windows jobs on the Linux side (perf, 2026-11-26). This reads what
// to_cbor writes (unsigned and negative integers, half, single and double
// floats, text, byte strings, arrays, maps, true, false, null; every
// length definite) into the same JSON value, a byte string with one copy.
// Anything else (a tag, an indefinite length, a length past the end,
// nesting deeper than wire_cbor_max_depth, bytes after the item) throws
// wire_cbor_error. Built for Linux and Windows alike; no JUCE here. Not
// presets/cbor_decode.hpp (libcbor, for Serum 2's files): the Windows
// worker reads these messages too, and no libcbor is built for it; and
// its cbor_value would be a second copy on the way to the JSON value.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "core/records.hpp"

namespace vr::host {

inline constexpr int wire_cbor_max_depth = 128;

struct wire_cbor_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The one CBOR item that spans [data, data + size).
json wire_from_cbor(const std::uint8_t* data, std::size_t size);

}  // namespace vr::host
