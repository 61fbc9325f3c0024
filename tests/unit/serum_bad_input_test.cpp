// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for what the Serum 2 reader refuses: truncated, corrupt and
// hostile files (decompression bombs, deep nesting), one clear error each.
#include <gtest/gtest.h>

#include <zstd.h>

#include "core/error.hpp"
#include "presets/serum.hpp"
#include "serum_fixtures.hpp"

namespace {

using namespace serum_tests;

const vr::serum_limits limits;

byte_vector test_preset() { return read_bytes(fixtures() / "files/wiillownet/test_preset.SerumPreset"); }

// An envelope around the given CBOR bytes, with the size it declares.
byte_vector envelope_of(const byte_vector& cbor, std::uint32_t declared, std::uint32_t version = 2,
                        const vr::json& meta = vr::json{{"presetName", "x"}}) {
    return vr::make_xfer_envelope(meta, declared, version, vr::zstd_deflate(cbor, 3));
}

// A zstd frame that does not record its content size.
byte_vector frame_without_size(const byte_vector& data) {
    ZSTD_CCtx* c = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 0);
    byte_vector out(ZSTD_compressBound(data.size()) + 64);
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    ZSTD_outBuffer o{out.data(), out.size(), 0};
    std::size_t left = ZSTD_compressStream2(c, &o, &in, ZSTD_e_end);
    ZSTD_freeCCtx(c);
    EXPECT_EQ(left, 0u);
    out.resize(o.pos);
    return out;
}

// The message of the format_error that reading bytes throws, or "(no error)".
std::string error_of(const byte_vector& bytes, const vr::serum_limits& l = limits) {
    return vr_test::error_message<vr::format_error>([&] { vr::read_serum_document(bytes, l); });
}

#define EXPECT_ERROR(bytes, text) EXPECT_PRED_FORMAT2(::testing::IsSubstring, text, error_of(bytes))

TEST(SerumBadInput, EveryTruncationIsRefused) {
    auto good = test_preset();
    for (std::size_t n = 0; n < good.size(); ++n)
        EXPECT_THROW(vr::read_serum_document(std::span(good).first(n), limits), vr::format_error) << n;
}

TEST(SerumBadInput, CorruptBytesGiveAnErrorOrAValidMapNeverACrash) {
    auto good = test_preset();
    for (std::size_t i = 0; i < good.size(); ++i) {
        byte_vector b = good;
        b[i] ^= 0x5a;
        try {
            auto doc = vr::read_serum_document(b, limits);
            EXPECT_TRUE(doc.data.is_map());
        } catch (const vr::format_error&) {
        }
    }
}

TEST(SerumBadInput, WrongMagicAndBadHeaders) {
    auto good = test_preset();
    byte_vector b = good;
    b[0] = 'x';
    EXPECT_ERROR(b, "not an Xfer Serum 2 file");
    b = good;
    b[16] = 0x01;  // JSON length far past the end
    EXPECT_ERROR(b, "JSON header length");
    b = good;
    b[17] = '[';  // the JSON's first '{'
    EXPECT_ERROR(b, "bad JSON header at byte");
    EXPECT_ERROR(envelope_of({0xa0}, 1, 2, vr::json::array({1, 2})), "is not an object but array");
    EXPECT_ERROR(envelope_of({0xa0}, 1, 3), "unknown XferJson format version 3");
    // A header nested 100000 deep is refused before nlohmann parses (and recurses on) it.
    std::string deep(100000, '[');
    b = vr::make_xfer_envelope(vr::json::object(), 1, 2, vr::zstd_deflate(byte_vector{0xa0}, 3));
    std::uint64_t len = deep.size();
    for (int i = 0; i < 8; ++i) b[9 + i] = static_cast<std::uint8_t>(len >> (8 * i));
    b.erase(b.begin() + 17, b.begin() + 19);  // the "{}"
    b.insert(b.begin() + 17, deep.begin(), deep.end());
    EXPECT_ERROR(b, "JSON header nested deeper than 64 levels at byte 81");
    // A number past a double's range is a bad header like any other (the
    // fuzzer's find: nlohmann's out_of_range escaped the reader).
    std::string big = R"({"a":1e999})";
    b = vr::make_xfer_envelope(vr::json::object(), 1, 2, vr::zstd_deflate(byte_vector{0xa0}, 3));
    len = big.size();
    for (int i = 0; i < 8; ++i) b[9 + i] = static_cast<std::uint8_t>(len >> (8 * i));
    b.erase(b.begin() + 17, b.begin() + 19);
    b.insert(b.begin() + 17, big.begin(), big.end());
    EXPECT_ERROR(b, "bad JSON header at byte 17: number overflow parsing '1e999'");
}

TEST(SerumBadInput, PayloadProblems) {
    auto good = test_preset();
    byte_vector b = good;
    b.push_back(0);
    EXPECT_ERROR(b, "1 bytes of trailing data after the zstd frame");
    b = good;
    b[17 + 280 + 8] = 0;  // the zstd magic (JSON length 280 per INDEX.tsv)
    EXPECT_ERROR(b, "is not a zstd frame");
    EXPECT_ERROR(envelope_of({0x83, 1, 2, 3}, 4), "the CBOR payload is not a map");
    EXPECT_ERROR(envelope_of({0xa0, 0x00}, 2), "1 bytes of trailing data after the CBOR item");
    EXPECT_ERROR(envelope_of({0xa0}, 5), "holds 1 bytes but the header declares 5");
    EXPECT_ERROR(envelope_of({}, 0), "the CBOR payload is empty");
}

TEST(SerumBadInput, DecompressionBombsAreRefusedBeforeInflating) {
    // Declared over the cap: refused from the header alone, whatever follows.
    byte_vector bomb = vr::make_xfer_envelope({{"a", 1}}, 0xffffffffu, 2, byte_vector{0x28, 0xb5, 0x2f, 0xfd});
    EXPECT_ERROR(bomb, "declares 4294967295 bytes of CBOR, over the limit of 67108864");
    vr::serum_limits small;
    small.max_cbor_size = 7822;
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, "over the limit of 7822", error_of(test_preset(), small));
    small.max_cbor_size = 7823;
    EXPECT_EQ(error_of(test_preset(), small), "(no error)");

    // A frame that hides its size and inflates past what the header claims.
    byte_vector big(1 << 20, 0xa0);
    auto lying = vr::make_xfer_envelope({{"a", 1}}, 1000, 2, frame_without_size(big));
    EXPECT_ERROR(lying, "inflates past the declared 1000 bytes");
    auto short_one = vr::make_xfer_envelope({{"a", 1}}, 1000, 2, frame_without_size({0xa0}));
    EXPECT_ERROR(short_one, "inflates to 1 bytes but the header declares 1000");
    auto honest = vr::make_xfer_envelope({{"a", 1}}, 1, 2, frame_without_size({0xa0}));
    EXPECT_EQ(error_of(honest), "(no error)");
}

std::string cbor_error(const byte_vector& cbor) {
    return vr_test::error_message<vr::format_error>([&] { vr::decode_cbor(cbor); });
}

TEST(CborDecode, DeepNestingIsAnErrorNotAStackOverflow) {
    for (std::uint8_t head : {0x81, 0x9f, 0xc1}) {  // array of 1, indefinite array, tag 1
        byte_vector deep(100000, head);
        deep.push_back(0);
        EXPECT_PRED_FORMAT2(::testing::IsSubstring, "nested deeper than 512 levels", cbor_error(deep)) << int(head);
        // And through the whole reader, inside a map.
        deep.insert(deep.begin(), {0xa1, 0x61, 'k'});
        EXPECT_ERROR(envelope_of(deep, static_cast<std::uint32_t>(deep.size())), "nested deeper");
    }
    byte_vector maps;
    for (int i = 0; i < 100000; ++i) maps.insert(maps.end(), {0xa1, 0x61, 'k'});
    maps.push_back(0);
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, "nested deeper", cbor_error(maps));
    byte_vector ok(500, 0x81);
    ok.push_back(0);
    EXPECT_EQ(vr::encode_cbor(vr::decode_cbor(ok)), ok);
}

TEST(CborDecode, RefusesMalformedItems) {
    struct bad_case {
        byte_vector cbor;
        const char* message;
    };
    const bad_case cases[] = {
        {{0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "declares 18446744073709551615 items"},
        {{0xbb, 0, 0, 0, 1, 0, 0, 0, 0}, "pairs, more than"},
        {{0x82, 0x01}, "is not complete"},
        {{0x19, 0x01}, "truncated"},
        {{0x63, 'a', 'b'}, "truncated"},
        {{0x1c}, "malformed CBOR at byte 0"},
        {{0xff}, "unexpected break"},
        {{0xa1, 0x01, 0x02}, "map key at byte 1 is not a text string"},
        {{0xa2, 0x61, 'a', 0x01, 0x61, 'a', 0x02}, "duplicate key \"a\" in the map at byte 0"},
        {{0xbf, 0x61, 'a', 0x01, 0x61, 'a', 0x02, 0xff}, "duplicate key \"a\" in the map at byte 0"},
        {{0x62, 0xc3, 0x28}, "is not valid UTF-8"},
        {{0x5f, 0x41, 0x00, 0x61, 'a', 0xff}, "holds a chunk of another type"},
        {{0xbf, 0x61, 'a', 0xff}, "ends after a key without its value"},
        {{0x01, 0x02}, "1 bytes of trailing data"},
    };
    for (const auto& c : cases)
        EXPECT_PRED_FORMAT2(::testing::IsSubstring, c.message, cbor_error(c.cbor));
    try {
        vr::decode_cbor(byte_vector{0x82, 0x01}, {}, 100);
        FAIL() << "no throw";
    } catch (const vr::format_error& e) {
        EXPECT_STREQ(e.what(), "truncated at byte 102: CBOR item at byte 100 is not complete");
        EXPECT_EQ(e.offset, 102u);
    }
}

TEST(CborDecode, KeepsKindsWidthsAndOrder) {
    // {"z": h'0102', "a": [-1, -500, 1.5 (half), 1.5 (single), 1.5 (double),
    //  true, null, undefined, 1(0)], "m": "é"} with an indefinite text key.
    byte_vector cbor = {0xa3, 0x61, 'z', 0x42, 1, 2, 0x7f, 0x61, 'a', 0xff, 0x89, 0x20, 0x39, 0x01, 0xf3,
                        0xf9, 0x3e, 0x00, 0xfa, 0x3f, 0xc0, 0, 0, 0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0,
                        0xf5, 0xf6, 0xf7, 0xc1, 0x00, 0x61, 'm', 0x62, 0xc3, 0xa9};
    auto v = vr::decode_cbor(cbor);
    EXPECT_EQ(vr::cbor_to_json(v).dump(),
              R"({"z":"AQI=","a":[-1,-500,1.5,1.5,1.5,true,null,null,0],"m":"é"})");
    const auto& a = v.find("a")->items;
    EXPECT_EQ(a[2].width, 2);
    EXPECT_EQ(a[3].width, 4);
    EXPECT_EQ(a[4].width, 8);
    // Re-encoded with definite lengths, otherwise the same bytes.
    byte_vector definite = cbor;
    definite.erase(definite.begin() + 6, definite.begin() + 10);
    definite.insert(definite.begin() + 6, {0x61, 'a'});
    EXPECT_EQ(vr::encode_cbor(v), definite);
}

TEST(CborDecode, HalfFloatsSurviveExactly) {
    for (unsigned bits = 0; bits < 0x10000; ++bits) {
        if ((bits & 0x7c00) == 0x7c00 && (bits & 0x3ff)) continue;  // NaN payloads
        auto h = static_cast<std::uint16_t>(bits);
        float f = static_cast<float>(vr::half_to_double(h));
        ASSERT_EQ(vr::half_bits_from_float(f), h) << bits;
        byte_vector cbor = {0xf9, static_cast<std::uint8_t>(bits >> 8), static_cast<std::uint8_t>(bits)};
        ASSERT_EQ(vr::encode_cbor(vr::decode_cbor(cbor)), cbor) << bits;
    }
}

TEST(CborDecode, LimitsTheNumberOfItems) {
    byte_vector many = {0x9a, 0x00, 0x01, 0x00, 0x00};  // 65536 zeros
    many.resize(many.size() + 65536, 0);
    vr::cbor_limits l;
    l.max_items = 1000;
    EXPECT_THROW(vr::decode_cbor(many, l), vr::format_error);
    EXPECT_EQ(vr::decode_cbor(many).items.size(), 65536u);
}

}  // namespace
