// SPDX-License-Identifier: GPL-3.0-or-later
// serum-unwrap's whole path: the XferJson envelope, zstd, CBOR, the rewrite
// into processor shape and the JUCE state blob. Inputs that do not start
// with a Serum or JUCE magic go to the CBOR decoder and JUCE base64 directly,
// which a mutated zstd frame would rarely reach.
#include <cstring>
#include <span>
#include <string_view>

#include "core/error.hpp"
#include "presets/cbor_value.hpp"
#include "presets/juce_state.hpp"
#include "presets/serum.hpp"
#include "presets/serum_rewrite.hpp"
#include "targets.hpp"

namespace {

bool starts_with(std::span<const std::uint8_t> b, std::string_view magic) {
    return b.size() >= magic.size() && std::memcmp(b.data(), magic.data(), magic.size()) == 0;
}

// Whatever decoded re-encodes to bytes that decode back to an equal value,
// shows as strict UTF-8 JSON, and sorts into byte-wise key order. A valid
// preset is some 13,000 values, each an allocation under ASan: decoded once.
void round_trip(const vr::cbor_value& v, const vr::cbor_limits& limits) {
    std::vector<std::uint8_t> enc = vr::encode_cbor(v);
    vr::cbor_value back = vr::decode_cbor(enc, limits);
    vr_fuzz_require(back == v);
    vr_fuzz_require(vr::encode_cbor(back) == enc);
    (void)vr::cbor_to_json(v).dump(-1, ' ', false, vr::json::error_handler_t::strict);
    // back equals v: sorting it is sorting a copy of v, without the copy.
    vr::sort_cbor_keys(back);
    vr_fuzz_require(vr::cbor_keys_sorted(back));
}

void state_blob(std::span<const std::uint8_t> bytes) {
    vr::vst3_state s;
    try {
        s = vr::parse_vst3_state_blob(bytes);
    } catch (const vr::record_error&) {
        return;
    }
    vr::vst3_state t = vr::parse_vst3_state_blob(vr::make_vst3_state_blob(s));
    vr_fuzz_require(t.component == s.component && t.controller == s.controller);
}

void serum_file(std::span<const std::uint8_t> bytes) {
    vr::serum_limits limits;
    vr::serum_document doc;
    try {
        doc = vr::read_serum_document(bytes, limits);
    } catch (const vr::record_error&) {
        return;
    }
    vr_fuzz_require(doc.data.is_map());
    round_trip(doc.data, limits.cbor);

    vr::processor_markers markers;
    vr::serum_state state;
    try {
        state = vr::convert_serum_preset(bytes, limits, markers);
    } catch (const vr::record_error&) {
        return;  // a state rather than a preset, or a preset of another shape
    }
    // The blob holds the envelope, which holds the rewritten map, sorted.
    vr::vst3_state parsed = vr::parse_vst3_state_blob(state.blob);
    vr_fuzz_require(parsed.component == state.envelope);
    vr::serum_document back = vr::read_serum_document(state.envelope, limits);
    vr_fuzz_require(vr::cbor_keys_sorted(back.data));
    vr::cbor_value expect = std::move(doc.data);  // not needed again: no copy
    vr::rewrite_preset_to_processor(expect, markers);
    vr_fuzz_require(back.data == expect);
    // Converting a state again is refused.
    bool refused = false;
    try {
        vr::convert_serum_preset(state.blob, limits, markers);
    } catch (const vr::record_error&) {
        refused = true;
    }
    vr_fuzz_require(refused);
}

void raw(std::span<const std::uint8_t> bytes) {
    vr::cbor_limits limits;
    try {
        round_trip(vr::decode_cbor(bytes, limits), limits);
    } catch (const vr::record_error&) {
    }
    std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    try {
        std::vector<std::uint8_t> b = vr::juce_base64_decode(text, "fuzz input");
        vr_fuzz_require(vr::juce_base64_encode(b) == text);
    } catch (const vr::record_error&) {
    }
}

}  // namespace

void vr_fuzz_serum(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> bytes(data, size);
    if (starts_with(bytes, "VC2!")) {
        state_blob(bytes);
        serum_file(bytes);
    } else if (starts_with(bytes, "XferJson")) {
        serum_file(bytes);
    } else {
        raw(bytes);
    }
}
