// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for the Vital preset reader and the strict JSON reader under
// it: the real presets, read whole, and every refusal naming its byte.
#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "presets/detect.hpp"
#include "presets/json_members.hpp"
#include "presets/scan.hpp"
#include "presets/vital.hpp"
#include "presets_fixtures.hpp"

namespace {

using namespace preset_tests;

std::string json_error(const std::string& s) {
    return error_message<vr::format_error>([&] { vr::read_json_members(s); });
}

TEST(Vital, EveryFixtureMatchesItsIndexRow) {
    auto rows = index_rows("vital");
    ASSERT_EQ(rows.size(), 5u);
    for (const auto& r : rows) {
        SCOPED_TRACE(r.at("file"));
        auto bytes = load("vital", r.at("file"));
        EXPECT_EQ(vr::sniff_preset_any(bytes), vr::preset_kind::vital);
        auto p = vr::read_vital_preset(bytes);
        EXPECT_EQ(p.synth_version, r.at("synth_version"));
        EXPECT_EQ(p.author, r.at("author"));
        EXPECT_EQ(p.style, r.at("style"));
        EXPECT_EQ(p.name, r.at("preset_name") == "None" ? "" : r.at("preset_name"));
        auto s = vr::summarize_preset(bytes, "/x/" + r.at("file"));
        EXPECT_EQ(s.format, "vital");
        EXPECT_EQ(s.plugin_id, "Vital");
        std::string stem = r.at("file").substr(0, r.at("file").size() - 6);
        EXPECT_EQ(s.name, r.at("preset_name") == "None" ? stem : r.at("preset_name"));
        EXPECT_EQ(s.synth_version, r.at("synth_version"));
    }
}

TEST(Vital, ABrokenPresetIsRefusedAtItsByte) {
    auto bytes = load("vital", "SalmoBass.vital");
    // Cut inside the settings: the end comes where a value should be.
    auto cut = byte_vector(bytes.begin(), bytes.begin() + 100000);
    EXPECT_NE(error_message<vr::format_error>([&] { vr::read_vital_preset(cut); }).find("byte 100000: "),
              std::string::npos);
    // The last byte of all: synth_version's object never closes.
    auto open = byte_vector(bytes.begin(), bytes.end() - 1);
    EXPECT_EQ(error_message<vr::format_error>([&] { vr::read_vital_preset(open); }),
              "byte " + std::to_string(bytes.size() - 1) + ": the end of the text where ',' or '}' should be");
}

TEST(Vital, AJsonObjectWithoutVitalsKeysIsNotAPreset) {
    EXPECT_EQ(error_message<vr::not_a_preset>([&] { vr::read_vital_preset(bytes_of(R"({"author":"me"})")); }),
              "a JSON object without Vital's \"settings\"");
    EXPECT_EQ(error_message<vr::not_a_preset>(
                  [&] { vr::read_vital_preset(bytes_of(R"({"author":"me","settings":{}})")); }),
              "a JSON object without Vital's \"synth_version\"");
    EXPECT_EQ(error_message<vr::format_error>(
                  [&] { vr::read_vital_preset(bytes_of(R"({"author":7,"settings":{},"synth_version":"1"})")); }),
              "byte 10: Vital's \"author\" is a number, not a string");
    EXPECT_EQ(error_message<vr::format_error>(
                  [&] { vr::read_vital_preset(bytes_of(R"({"author":"a","settings":[],"synth_version":"1"})")); }),
              "byte 25: Vital's \"settings\" is an array, not an object");
    auto p = vr::read_vital_preset(bytes_of(R"({"author":"a\u00e9\ud83c\udfb9","settings":{"x":[1,-2.5e3,true,null]},"synth_version":"1.0.7"})"));
    EXPECT_EQ(p.author, "a\xC3\xA9\xF0\x9F\x8E\xB9");
    EXPECT_EQ(p.synth_version, "1.0.7");
}

TEST(JsonMembers, ReadsStrictly) {
    EXPECT_EQ(json_error(""), "byte 0: the end of the text where a JSON object should start");
    EXPECT_EQ(json_error("[1]"), "byte 0: not the start of a JSON object");
    EXPECT_EQ(json_error("{\"a\":1} x"), "byte 8: more after the end of the JSON object");
    EXPECT_EQ(json_error("{\"a\":01}"), "byte 6: expected ',' or '}'");
    EXPECT_EQ(json_error("{\"a\":1.}"), "byte 7: a number without digits after its '.'");
    EXPECT_EQ(json_error("{\"a\":1e999}"), "byte 5: a number past the range of a double");
    EXPECT_EQ(json_error("{\"a\":tru}"), "byte 5: not a JSON value");
    EXPECT_EQ(json_error("{\"a\":\"\x01\"}"), "byte 6: a control character inside a string");
    EXPECT_EQ(json_error("{\"a\":\"\xC3\"}"), "byte 6: not UTF-8");
    EXPECT_EQ(json_error("{\"a\":\"\\x\"}"), "byte 7: an unknown escape in a string");
    EXPECT_EQ(json_error("{\"a\":\"\\udc00\"}"), "byte 12: a lone low surrogate in a \\u escape");
    EXPECT_EQ(json_error("{a:1}"), "byte 1: expected a member's name in quotes");
    EXPECT_EQ(json_error("{\"a\" 1}"), "byte 5: expected ':' after a member's name");
    EXPECT_EQ(json_error("{\"a\":[1,]}"), "byte 8: not a JSON value");
    std::string deep = "{\"a\":" + std::string(600, '[') + std::string(600, ']') + "}";
    EXPECT_EQ(json_error(deep), "byte 517: nested deeper than 512 levels");
    auto m = vr::read_json_members(" {\"k\" : \"v\\n\", \"n\":-0.5E+2, \"o\":{}, \"t\":true} ");
    ASSERT_EQ(m.size(), 4u);
    EXPECT_EQ(m[0].text, "v\n");
    EXPECT_EQ(m[1].kind, vr::json_member::type::number);
    EXPECT_EQ(m[2].kind, vr::json_member::type::object);
    EXPECT_EQ(m[3].kind, vr::json_member::type::boolean);
    EXPECT_EQ(vr::sniff_preset_any(bytes_of("{\"author\":")), vr::preset_kind::vital);
    EXPECT_EQ(vr::claimed_by_name("x.Vital"), vr::preset_kind::vital);
}

// Strings are skipped sixteen bytes at a time (eight where there is no
// SSE2, and in the tail): a quote, a backslash, a control character or a
// UTF-8 byte at any place of a block or a word is still seen.
TEST(JsonMembers, StringsSeenAtEveryPlaceOfAWord) {
    for (std::size_t len = 0; len < 56; ++len)
        for (std::size_t at = 0; at < len; ++at) {
            SCOPED_TRACE(std::to_string(len) + " " + std::to_string(at));
            std::string plain(len, 'x');
            auto with = [&](const std::string& what) {
                std::string t = plain;
                t.replace(at, 1, what);
                return "{\"k\":\"" + t + "\"}";
            };
            EXPECT_EQ(vr::read_json_members(with("x"))[0].text, plain);
            EXPECT_EQ(vr::read_json_members(with("\\n"))[0].text, plain.substr(0, at) + "\n" + plain.substr(at + 1));
            EXPECT_EQ(vr::read_json_members(with("\xC3\xA9"))[0].text, plain.substr(0, at) + "\xC3\xA9" + plain.substr(at + 1));
            EXPECT_EQ(json_error(with("\x1F")), "byte " + std::to_string(6 + at) + ": a control character inside a string");
            EXPECT_EQ(json_error(with("\xFF")), "byte " + std::to_string(6 + at) + ": not UTF-8");
            EXPECT_EQ(json_error(with("\"")), "byte " + std::to_string(7 + at) + ": expected ',' or '}'");
        }
}

}  // namespace
