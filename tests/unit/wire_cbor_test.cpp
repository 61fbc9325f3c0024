// SPDX-License-Identifier: GPL-3.0-or-later
// host/wire_cbor.hpp: what nlohmann's to_cbor writes reads back as its own
// from_cbor reads it, value and type, for every kind and every length
// encoding; what to_cbor never writes, and bytes cut short or changed,
// throw wire_cbor_error and never read past the message.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "host/wire_cbor.hpp"

namespace {

using vr::json;
using vr::host::wire_cbor_error;
using vr::host::wire_from_cbor;

json read(const std::vector<std::uint8_t>& bytes) { return wire_from_cbor(bytes.data(), bytes.size()); }

// Equal as from_cbor reads them, in value and in type, NaN for NaN.
void expect_same(const json& got, const json& want, const std::string& where) {
    ASSERT_EQ(got.type(), want.type()) << where;
    if (want.is_number_float() && std::isnan(want.get<double>())) {
        EXPECT_TRUE(std::isnan(got.get<double>())) << where;
        return;
    }
    if (want.is_number_float()) {
        EXPECT_EQ(std::signbit(got.get<double>()), std::signbit(want.get<double>())) << where;
    }
    if (want.is_array() || want.is_object()) {
        ASSERT_EQ(got.size(), want.size()) << where;
        auto g = got.begin();
        for (auto w = want.begin(); w != want.end(); ++w, ++g) {
            if (want.is_object()) {
                EXPECT_EQ(g.key(), w.key()) << where;
            }
            expect_same(*g, *w, where + "/" + (want.is_object() ? w.key() : std::string("[]")));
        }
        return;
    }
    EXPECT_EQ(got, want) << where;
}

std::vector<std::uint8_t> bytes_of(std::size_t n) {
    std::vector<std::uint8_t> b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 7 + 3);
    return b;
}

std::vector<json> every_kind() {
    std::vector<json> values = {nullptr, true, false};
    // Each length of the argument: in the head, 1, 2, 4 and 8 bytes after.
    const std::uint64_t unsigned_values[] = {0,     23,    24,         255,        256,
                                             65535, 65536, 4294967295, 4294967296, std::numeric_limits<std::uint64_t>::max()};
    for (std::uint64_t u : unsigned_values) values.emplace_back(u);
    for (std::int64_t i : {std::int64_t{-1}, std::int64_t{-24}, std::int64_t{-25}, std::int64_t{-256}, std::int64_t{-257},
                           std::int64_t{-65537}, std::int64_t{-4294967297}, std::numeric_limits<std::int64_t>::min()})
        values.emplace_back(i);
    for (double d : {1.5, -0.0, 0.1, 1e300, -2.5e-310, std::numeric_limits<double>::infinity(),
                     -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()})
        values.emplace_back(d);
    for (std::size_t n : {std::size_t{0}, std::size_t{23}, std::size_t{24}, std::size_t{300}, std::size_t{70000}}) {
        values.emplace_back(std::string(n, 'a') + "\xc3\xa9");
        values.push_back(json::binary(bytes_of(n)));
    }
    json nested = json::object();
    nested["z"] = json::array({1, -2, 3.25, "x", json::binary(bytes_of(5)), json::array(), json::object()});
    nested["a"] = {{"ok", {{"audio", json::binary(bytes_of(96000 * 8))}, {"n", 3}}}};
    nested["m"] = json::array();
    for (int i = 0; i < 300; ++i) nested["m"].push_back(i);
    values.push_back(nested);
    return values;
}

TEST(WireCbor, EveryKindReadsAsFromCborReadsIt) {
    for (const json& v : every_kind()) {
        std::vector<std::uint8_t> bytes;
        json::to_cbor(v, bytes);
        expect_same(read(bytes), json::from_cbor(bytes), v.dump().substr(0, 60));
    }
}

TEST(WireCbor, HalfFloats) {
    // 1.0, -2.0, the smallest subnormal, 65504, infinity, NaN.
    for (std::vector<std::uint8_t> bytes : std::vector<std::vector<std::uint8_t>>{
             {0xf9, 0x3c, 0x00}, {0xf9, 0xc0, 0x00}, {0xf9, 0x00, 0x01}, {0xf9, 0x7b, 0xff}, {0xf9, 0x7c, 0x00},
             {0xf9, 0x7e, 0x00}})
        expect_same(read(bytes), json::from_cbor(bytes), "half " + std::to_string(bytes[1]));
}

TEST(WireCbor, WhatToCborNeverWritesIsRefused) {
    const std::vector<std::vector<std::uint8_t>> refused = {
        {},                                                  // nothing
        {0x01, 0x02},                                        // bytes after the item
        {0xc0, 0x60},                                        // a tag
        {0x9f, 0xff},                                        // an indefinite array
        {0x5f, 0xff},                                        // an indefinite byte string
        {0x1c},                                              // a reserved length
        {0xf7},                                              // undefined
        {0xa1, 0x01, 0x02},                                  // a map key that is not text
        {0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},  // a length past the end
        {0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},  // a count past the end
        {0xbb, 0x80, 0, 0, 0, 0, 0, 0, 0},                   // a map whose count doubled wraps
        {0x3b, 0x80, 0, 0, 0, 0, 0, 0, 0},                   // below -2^63
    };
    for (const auto& bytes : refused) EXPECT_THROW(read(bytes), wire_cbor_error) << bytes.size() << " bytes";
}

TEST(WireCbor, NestingDeeperThanTheLimitIsRefused) {
    auto nested = [](int depth) {
        std::vector<std::uint8_t> bytes(static_cast<std::size_t>(depth), 0x81);  // [[[...]]]
        bytes.push_back(0xf6);
        return bytes;
    };
    EXPECT_NO_THROW(read(nested(vr::host::wire_cbor_max_depth)));
    EXPECT_THROW(read(nested(vr::host::wire_cbor_max_depth + 1)), wire_cbor_error);
    EXPECT_THROW(read(nested(100000)), wire_cbor_error);
}

TEST(WireCbor, EveryCutOfAMessageIsRefused) {
    json message = {{"ok", {{"audio", json::binary(bytes_of(40))}, {"n", -300}, {"f", 0.1}, {"s", "text"}}}};
    std::vector<std::uint8_t> bytes;
    json::to_cbor(message, bytes);
    for (std::size_t n = 0; n < bytes.size(); ++n)
        EXPECT_THROW(wire_from_cbor(bytes.data(), n), wire_cbor_error) << "cut at " << n;
}

TEST(WireCbor, ChangedBytesEitherReadOrThrow) {
    json message = {{"ok", {{"audio", json::binary(bytes_of(64))}, {"list", {1, 2, 3}}, {"f", 1.5}, {"t", true}}}};
    std::vector<std::uint8_t> bytes;
    json::to_cbor(message, bytes);
    std::mt19937 generator(45);
    int thrown = 0;
    for (int round = 0; round < 3000; ++round) {
        std::vector<std::uint8_t> changed = bytes;
        for (int k = 0; k < 1 + round % 4; ++k)
            changed[generator() % changed.size()] = static_cast<std::uint8_t>(generator());
        try {
            (void)read(changed);  // the sanitized build checks that it stays inside the bytes
        } catch (const wire_cbor_error&) {
            ++thrown;
        }
    }
    EXPECT_GT(thrown, 0);
}

}  // namespace
