// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/records.hpp"
#include "presets/cbor_decode.hpp"
#include "presets/cbor_value.hpp"

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

// The only envelope format version known (Serum 2.0 to 2.1.4).
inline constexpr std::uint32_t xfer_format_version = 2;

// Limits on what is accepted from an untrusted Serum file.
struct serum_limits {
    std::size_t max_cbor_size = 64u << 20;  // declared and real inflated size
    cbor_limits cbor;
};

// A decoded Serum file: its JSON header and its CBOR payload (a map).
struct serum_document {
    json meta;
    std::uint32_t format_version = 0;
    cbor_value data;
    bool from_vst3_state = false;  // read from the IComponent part of a VC2! blob
};

// Reads a .SerumPreset, a Serum processor envelope, or a JUCE VST3 state blob
// holding one (its IComponent part): checks the envelope, the format version,
// the declared size against limits.max_cbor_size before inflating, that the
// zstd frame fills the rest and inflates to exactly the declared size, and
// that the CBOR is one map. Throws format_error naming the byte.
serum_document read_serum_document(std::span<const std::uint8_t> bytes, const serum_limits& limits);

// What the processor state says about the Serum build it is for.
struct processor_markers {
    std::string product_version = "2.1.4";
    double version = 10.0;  // written as a float32 into the CBOR
};

// Encodes, zstd-compresses (level 3) and wraps a processor map in the XferJson
// envelope with the processor header (FORMATS.md rule 5).
std::vector<std::uint8_t> make_processor_envelope(const cbor_value& processor,
                                                  const processor_markers& markers);

// Builds an XferJson envelope from its parts.
std::vector<std::uint8_t> make_xfer_envelope(const json& meta, std::uint32_t cbor_size,
                                             std::uint32_t format_version,
                                             std::span<const std::uint8_t> zstd_frame);

// The result of converting a preset: the processor envelope (IComponent
// bytes) and the JUCE VST3 state blob holding it.
struct serum_state {
    std::vector<std::uint8_t> envelope;
    std::vector<std::uint8_t> blob;
};

// Converts the bytes of a .SerumPreset into the state Serum 2's VST3
// setStateInformation accepts. Refuses (format_error) a file that is already
// a state rather than a preset, and everything read_serum_document refuses.
serum_state convert_serum_preset(std::span<const std::uint8_t> preset, const serum_limits& limits,
                                 const processor_markers& markers);

// Refuses (format_error naming the byte) a payload that is not one whole zstd
// frame filling `frame`: the magic, every block and the checksum within it,
// nothing after it. Reads the block headers only; inflates nothing.
void zstd_check_frame(std::span<const std::uint8_t> frame, std::size_t base_offset);

// Zstd helpers with the checks above: inflate refuses a frame that does not
// fill `frame`, or whose content is not exactly `expected_size` bytes.
std::vector<std::uint8_t> zstd_inflate_exact(std::span<const std::uint8_t> frame,
                                             std::size_t expected_size, std::size_t base_offset);
std::vector<std::uint8_t> zstd_deflate(std::span<const std::uint8_t> bytes, int level);

}  // namespace vr
