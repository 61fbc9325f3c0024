// SPDX-License-Identifier: GPL-3.0-or-later
#include "presets/serum.hpp"

#include <zstd.h>
#include <zstd_errors.h>

#include <cstring>
#include <string>

#include "core/cursor.hpp"
#include "core/handles.hpp"
#include "core/hash.hpp"
#include "core/text.hpp"
#include "presets/juce_state.hpp"
#include "presets/serum_rewrite.hpp"

namespace vr {

namespace {
constexpr char xfer_magic[] = "XferJson";  // 8 characters and the NUL: 9 bytes
constexpr std::size_t xfer_magic_size = 9;
constexpr std::size_t max_json_depth = 64;

// The offset of the first bracket nested deeper than max_json_depth, or npos:
// checked before parsing, since printing and comparing JSON recurse.
std::size_t too_deep_at(std::string_view text) {
    std::size_t depth = 0;
    bool in_string = false, escaped = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_json_depth) return i;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return std::string_view::npos;
}
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
    if (std::size_t deep = too_deep_at(text); deep != std::string_view::npos)
        throw format_error("JSON header nested deeper than " + std::to_string(max_json_depth) +
                               " levels at byte " + std::to_string(json_at + deep),
                           json_at + deep);
    xfer_envelope env;
    try {
        env.meta = json::parse(text);
    } catch (const json::parse_error& e) {
        std::string why = e.what();  // "[json.exception.parse_error.101] parse error at ..."
        if (auto cut = why.find("] "); cut != std::string::npos) why.erase(0, cut + 2);
        // nlohmann quotes the bytes it stopped at, which may not be UTF-8.
        throw format_error("bad JSON header at byte " + std::to_string(json_at + e.byte - 1) +
                               ": " + printable_excerpt(why, 300),
                           json_at);
    } catch (const json::out_of_range& e) {
        // A number past a double's range (1e999): nlohmann says which, not
        // where, so the header's start is named.
        std::string why = e.what();  // "[json.exception.out_of_range.406] number overflow ..."
        if (auto cut = why.find("] "); cut != std::string::npos) why.erase(0, cut + 2);
        throw format_error("bad JSON header at byte " + std::to_string(json_at) + ": " +
                               printable_excerpt(why, 300),
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

namespace {

struct dctx_free {
    void operator()(ZSTD_DCtx* c) const noexcept { ZSTD_freeDCtx(c); }
};
struct cctx_free {
    void operator()(ZSTD_CCtx* c) const noexcept { ZSTD_freeCCtx(c); }
};

std::string at_byte(std::size_t offset) { return " at byte " + std::to_string(offset); }

}  // namespace

void zstd_check_frame(std::span<const std::uint8_t> frame, std::size_t base_offset) {
    static constexpr std::uint8_t zstd_magic[] = {0x28, 0xb5, 0x2f, 0xfd};
    if (frame.size() < 4 || std::memcmp(frame.data(), zstd_magic, 4) != 0)
        throw format_error("the payload" + at_byte(base_offset) + " is not a zstd frame", base_offset);
    // zstd walks the frame's block headers to its end: nothing is inflated.
    std::size_t frame_size = ZSTD_findFrameCompressedSize(frame.data(), frame.size());
    if (ZSTD_isError(frame_size))
        throw format_error("corrupt or truncated zstd frame" + at_byte(base_offset) + ": " +
                               ZSTD_getErrorName(frame_size),
                           base_offset);
    if (frame_size != frame.size())
        throw format_error(std::to_string(frame.size() - frame_size) +
                               " bytes of trailing data after the zstd frame, at byte " +
                               std::to_string(base_offset + frame_size),
                           base_offset + frame_size);
}

std::vector<std::uint8_t> zstd_inflate_exact(std::span<const std::uint8_t> frame,
                                             std::size_t expected_size, std::size_t base_offset) {
    zstd_check_frame(frame, base_offset);
    unsigned long long content = ZSTD_getFrameContentSize(frame.data(), frame.size());
    if (content == ZSTD_CONTENTSIZE_ERROR)
        throw format_error("corrupt zstd frame header" + at_byte(base_offset), base_offset);
    if (content != ZSTD_CONTENTSIZE_UNKNOWN && content != expected_size)
        throw format_error("the zstd frame" + at_byte(base_offset) + " holds " + std::to_string(content) +
                               " bytes but the header declares " + std::to_string(expected_size),
                           base_offset);
    unique_handle<ZSTD_DCtx, dctx_free> dctx(ZSTD_createDCtx());
    if (!dctx) throw std::bad_alloc();
    // One pass into a buffer of exactly the declared size: zstd stops with an
    // error rather than write past it, so nothing inflates beyond the claim.
    std::vector<std::uint8_t> out(expected_size);
    std::uint8_t spare;
    std::size_t n = ZSTD_decompressDCtx(dctx.get(), out.empty() ? &spare : out.data(), out.size(),
                                        frame.data(), frame.size());
    if (ZSTD_isError(n)) {
        if (ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall)
            throw format_error("the zstd frame" + at_byte(base_offset) +
                                   " inflates past the declared " + std::to_string(expected_size) +
                                   " bytes",
                               base_offset);
        throw format_error("corrupt zstd frame" + at_byte(base_offset) + ": " + ZSTD_getErrorName(n),
                           base_offset);
    }
    if (n != expected_size)
        throw format_error("the zstd frame" + at_byte(base_offset) + " inflates to " + std::to_string(n) +
                               " bytes but the header declares " + std::to_string(expected_size),
                           base_offset);
    return out;
}

std::vector<std::uint8_t> zstd_deflate(std::span<const std::uint8_t> bytes, int level) {
    unique_handle<ZSTD_CCtx, cctx_free> cctx(ZSTD_createCCtx());
    if (!cctx) throw std::bad_alloc();
    std::vector<std::uint8_t> out(ZSTD_compressBound(bytes.size()));
    std::size_t n = ZSTD_compressCCtx(cctx.get(), out.data(), out.size(), bytes.data(), bytes.size(), level);
    if (ZSTD_isError(n)) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(n));
    out.resize(n);
    return out;
}

namespace {

serum_document read_xfer_document(std::span<const std::uint8_t> bytes, const serum_limits& limits) {
    xfer_envelope env = parse_xfer_envelope(bytes);
    std::size_t payload_at = bytes.size() - env.payload.size();
    if (env.format_version != xfer_format_version)
        throw format_error("unknown XferJson format version " + std::to_string(env.format_version) +
                               at_byte(payload_at - 4) + " (Serum 2 writes " +
                               std::to_string(xfer_format_version) + ")",
                           payload_at - 4);
    if (env.cbor_size > limits.max_cbor_size)
        throw format_error("the header" + at_byte(payload_at - 8) + " declares " +
                               std::to_string(env.cbor_size) + " bytes of CBOR, over the limit of " +
                               std::to_string(limits.max_cbor_size) + " (--max-size)",
                           payload_at - 8);
    std::vector<std::uint8_t> cbor = zstd_inflate_exact(env.payload, env.cbor_size, payload_at);
    serum_document doc;
    try {
        doc.data = decode_cbor(cbor, limits.cbor);
    } catch (const format_error& e) {
        throw format_error(std::string("in the inflated payload: ") + e.what(), e.offset);
    }
    if (!doc.data.is_map())
        throw format_error("the CBOR payload is not a map", payload_at);
    doc.meta = std::move(env.meta);
    doc.format_version = env.format_version;
    return doc;
}

}  // namespace

serum_document read_serum_document(std::span<const std::uint8_t> bytes, const serum_limits& limits) {
    if (!is_vst3_state_blob(bytes)) return read_xfer_document(bytes, limits);
    vst3_state state = parse_vst3_state_blob(bytes);
    try {
        serum_document doc = read_xfer_document(state.component, limits);
        doc.from_vst3_state = true;
        return doc;
    } catch (const format_error& e) {
        throw format_error(std::string("in the IComponent state: ") + e.what(), e.offset);
    }
}

std::vector<std::uint8_t> make_xfer_envelope(const json& meta, std::uint32_t cbor_size,
                                             std::uint32_t format_version,
                                             std::span<const std::uint8_t> zstd_frame) {
    std::string header = meta.dump();
    std::vector<std::uint8_t> out(xfer_magic, xfer_magic + xfer_magic_size);
    auto put = [&](std::uint64_t v, int bytes) {
        for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    };
    put(header.size(), 8);
    out.insert(out.end(), header.begin(), header.end());
    put(cbor_size, 4);
    put(format_version, 4);
    out.insert(out.end(), zstd_frame.begin(), zstd_frame.end());
    return out;
}

std::vector<std::uint8_t> make_processor_envelope(const cbor_value& processor,
                                                  const processor_markers& markers) {
    std::vector<std::uint8_t> cbor = encode_cbor(processor);
    if (cbor.size() > UINT32_MAX) throw record_error("the processor state is too large for Serum");
    std::vector<std::uint8_t> frame = zstd_deflate(cbor, 3);
    json meta = json::object();
    meta["component"] = "processor";
    meta["hash"] = md5_hex(frame);
    meta["product"] = "Serum2";
    meta["productVersion"] = markers.product_version;
    meta["url"] = "https://xferrecords.com/";
    meta["vendor"] = "Xfer Records";
    meta["version"] = markers.version;
    return make_xfer_envelope(meta, static_cast<std::uint32_t>(cbor.size()), xfer_format_version, frame);
}

serum_state convert_serum_preset(std::span<const std::uint8_t> preset, const serum_limits& limits,
                                 const processor_markers& markers) {
    serum_document doc = read_serum_document(preset, limits);
    if (doc.from_vst3_state)
        throw format_error("this is a JUCE VST3 state already, not a .SerumPreset", 0);
    if (doc.meta.contains("component"))
        throw format_error("this is a Serum " + doc.meta["component"].dump() +
                               " state already, not a .SerumPreset",
                           0);
    rewrite_preset_to_processor(doc.data, markers);
    serum_state state;
    state.envelope = make_processor_envelope(doc.data, markers);
    state.blob = make_vst3_state_blob({state.envelope, std::nullopt});
    return state;
}

}  // namespace vr
