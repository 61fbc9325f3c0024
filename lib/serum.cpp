// SPDX-License-Identifier: GPL-3.0-or-later
#include "serum.hpp"

#include <cstring>
#include <string>

#include "cursor.hpp"
#include "text.hpp"

namespace vr {

namespace {
constexpr char xfer_magic[] = "XferJson";  // 8 characters and the NUL: 9 bytes
constexpr std::size_t xfer_magic_size = 9;
}  // namespace

xfer_envelope parse_xfer_envelope(std::span<const std::uint8_t> bytes) {
    byte_cursor in(bytes);
    auto magic = in.bytes(std::min<std::size_t>(xfer_magic_size, in.remaining()), "magic");
    if (magic.size() < xfer_magic_size ||
        std::memcmp(magic.data(), xfer_magic, xfer_magic_size) != 0) {
        std::string seen(reinterpret_cast<const char*>(magic.data()), magic.size());
        throw format_error("not an Xfer Serum 2 file: expected \"XferJson\\0\" at byte 0, found \"" +
                               printable_excerpt(seen, 20) + "\"",
                           0);
    }
    std::size_t length_at = in.offset();
    std::uint64_t json_size = in.u64le("JSON header length");
    if (json_size > in.remaining())
        throw format_error("truncated at byte " + std::to_string(in.offset()) +
                               ": JSON header length " + std::to_string(json_size) + " (at byte " +
                               std::to_string(length_at) + ") is past the end, " +
                               std::to_string(in.remaining()) + " bytes left",
                           in.offset());
    std::size_t json_at = in.offset();
    auto text = in.chars(static_cast<std::size_t>(json_size), "JSON header");
    xfer_envelope env;
    try {
        env.meta = json::parse(text);
    } catch (const json::parse_error& e) {
        throw format_error("bad JSON header at byte " + std::to_string(json_at + e.byte - 1) +
                               ": " + e.what(),
                           json_at);
    }
    if (!env.meta.is_object())
        throw format_error("JSON header at byte " + std::to_string(json_at) +
                               " is not an object but " + env.meta.type_name(),
                           json_at);
    env.cbor_size = in.u32le("CBOR size");
    env.format_version = in.u32le("format version");
    env.payload = in.rest();
    if (env.payload.empty())
        throw format_error("truncated at byte " + std::to_string(in.offset()) +
                               ": no zstd payload after the header",
                           in.offset());
    return env;
}

}  // namespace vr
