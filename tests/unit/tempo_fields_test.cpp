// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for lib/jobs/tempo_fields and job-grid's --bpms list: what a
// tempo and a time signature are, and what each refusal says.
#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "jobs/grid.hpp"
#include "jobs/tempo_fields.hpp"

namespace {

using vr::json;

// The message of the exception of type E that f throws ("" when none).
template <typename E>
std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    return "";
}

std::string usage(std::string_view text) {
    return message_of<vr::usage_error>([&] { vr::parse_bpm(text, "--bpm"); });
}

std::string record(const char* line) {
    return message_of<vr::record_error>([&] {
        json r = json::parse(line);
        vr::job_bpm(r);
        vr::job_time_signature(r);
    });
}

TEST(TempoFields, ValidBpmIsOneTo999Inclusive) {
    EXPECT_TRUE(vr::valid_bpm(1));
    EXPECT_TRUE(vr::valid_bpm(999));
    EXPECT_TRUE(vr::valid_bpm(92.5));
    EXPECT_FALSE(vr::valid_bpm(0.999));
    EXPECT_FALSE(vr::valid_bpm(999.001));
    EXPECT_FALSE(vr::valid_bpm(-120));
    EXPECT_FALSE(vr::valid_bpm(std::numeric_limits<double>::quiet_NaN()));
    EXPECT_FALSE(vr::valid_bpm(std::numeric_limits<double>::infinity()));
}

TEST(TempoFields, ParsesBpmTextAndNamesWhatItRefuses) {
    EXPECT_EQ(vr::parse_bpm("120", "--bpm"), 120);
    EXPECT_EQ(vr::parse_bpm("92.5", "--bpm"), 92.5);
    EXPECT_EQ(vr::parse_bpm("1", "--bpm"), 1);
    EXPECT_EQ(vr::parse_bpm("999.0", "--bpm"), 999);
    EXPECT_EQ(usage("0"), "--bpm: '0' is outside 1-999");
    EXPECT_EQ(usage("1000"), "--bpm: '1000' is outside 1-999");
    EXPECT_EQ(usage("999.5"), "--bpm: '999.5' is outside 1-999");
    EXPECT_EQ(usage("-5"), "--bpm: '-5' is outside 1-999");
    EXPECT_EQ(usage(std::string(400, '9')), "--bpm: '" + std::string(40, '9') + "...' is outside 1-999");
    for (const char* bad : {"abc", "", "1e2", "+5", " 5", "92.", ".5", "9.2.5", "0x10", "inf", "nan", "120bpm"})
        EXPECT_EQ(usage(bad), "--bpm: '" + std::string(bad) + "' is not a tempo in beats a minute, as 120 or 92.5")
            << bad;
}

TEST(TempoFields, ReadsARecordsBpmAndTimeSignature) {
    EXPECT_EQ(vr::job_bpm(json::parse(R"({"bpm":92.5})")), 92.5);
    EXPECT_EQ(vr::job_bpm(json::parse(R"({"bpm":120})")), 120);
    EXPECT_EQ(vr::job_bpm(json::parse(R"({"bpm":null})")), std::nullopt);
    EXPECT_EQ(vr::job_bpm(json::parse(R"({"note":60})")), std::nullopt);
    EXPECT_EQ(vr::job_time_signature(json::parse(R"({"time_signature":"7/8"})")), (vr::time_signature{7, 8}));
    EXPECT_EQ(vr::job_time_signature(json::parse(R"({})")), std::nullopt);
    EXPECT_EQ(record(R"({"bpm":0})"), "field 'bpm' is 0, outside 1..999");
    EXPECT_EQ(record(R"({"bpm":1000})"), "field 'bpm' is 1000, outside 1..999");
    EXPECT_EQ(record(R"({"bpm":-5})"), "field 'bpm' is -5, outside 1..999");
    EXPECT_EQ(record(R"({"bpm":0.5})"), "field 'bpm' is 0.5, outside 1..999");
    EXPECT_EQ(record(R"({"bpm":"abc"})"), "field 'bpm' must be a number, not a string (\"abc\")");
    EXPECT_EQ(record(R"({"bpm":true})"), "field 'bpm' must be a number, not a boolean (true)");
    EXPECT_EQ(record(R"({"time_signature":"4/3"})"),
              "field 'time_signature': '4/3': the note value of a beat (D) must be 1, 2, 4, 8, 16, 32 or 64");
    EXPECT_EQ(record(R"({"time_signature":[4,4]})"), "field 'time_signature' must be a string, not an array ([4,4])");
}

TEST(TempoFields, WritesBpmAsTheRecordGaveIt) {
    EXPECT_EQ(vr::bpm_value(120).dump(), "120");
    EXPECT_EQ(vr::bpm_value(92.5).dump(), "92.5");
    EXPECT_EQ(vr::bpm_value(133.3).dump(), "133.3");
    EXPECT_EQ(vr::bpm_value(vr::default_bpm).dump(), "120");
}

TEST(TempoFields, ParsesTimeSignaturesAndRefusesTheRest) {
    EXPECT_EQ(vr::parse_time_signature("4/4", "--ts"), (vr::time_signature{4, 4}));
    EXPECT_EQ(vr::parse_time_signature("6/8", "--ts"), (vr::time_signature{6, 8}));
    EXPECT_EQ(vr::parse_time_signature("1/1", "--ts"), (vr::time_signature{1, 1}));
    EXPECT_EQ(vr::parse_time_signature("64/64", "--ts"), (vr::time_signature{64, 64}));
    for (int d = 1; d <= 64; d *= 2) {
        auto text = "7/" + std::to_string(d);
        EXPECT_EQ(vr::to_string(vr::parse_time_signature(text, "--ts")), text);
    }
    auto refusal = [](std::string_view text) {
        return message_of<vr::usage_error>([&] { vr::parse_time_signature(text, "--ts"); });
    };
    const std::string d_rule = "the note value of a beat (D) must be 1, 2, 4, 8, 16, 32 or 64";
    EXPECT_EQ(refusal("4/0"), "--ts: '4/0': " + d_rule);
    EXPECT_EQ(refusal("4/3"), "--ts: '4/3': " + d_rule);
    EXPECT_EQ(refusal("4/128"), "--ts: '4/128': " + d_rule);
    EXPECT_EQ(refusal("4/99999999999"), "--ts: '4/99999999999': " + d_rule);
    EXPECT_EQ(refusal("0/4"), "--ts: '0/4': the beats a bar (N) must be 1 to 64");
    EXPECT_EQ(refusal("65/4"), "--ts: '65/4': the beats a bar (N) must be 1 to 64");
    EXPECT_EQ(refusal("04/4"), "--ts: '04/4': write the numbers without leading zeros");
    for (const char* bad : {"", "4", "4/", "/4", "4 / 4", "-4/4", "4/4/4", "four/4", "4:4", "4/4 "})
        EXPECT_EQ(refusal(bad), "--ts: '" + std::string(bad) + "' is not a time signature N/D, as 4/4 or 6/8") << bad;
}

TEST(TempoFields, BpmListsTakeRangesAndSingleDecimals) {
    EXPECT_EQ(vr::parse_bpm_list("90,120,140", "--bpms"), (std::vector<double>{90, 120, 140}));
    EXPECT_EQ(vr::parse_bpm_list("92.5,80-100:10,120,120.0,90", "--bpms"), (std::vector<double>{92.5, 80, 90, 100, 120}));
    EXPECT_EQ(vr::parse_bpm_list("1,999", "--bpms"), (std::vector<double>{1, 999}));
    EXPECT_EQ(vr::parse_bpm_list("1-999", "--bpms").size(), 999u);
    auto refusal = [](const std::string& text) {
        return message_of<vr::usage_error>([&] { vr::parse_bpm_list(text, "--bpms"); });
    };
    EXPECT_EQ(refusal("0"), "--bpms: '0' is outside 1-999");
    EXPECT_EQ(refusal("90,1000"), "--bpms: '1000' is outside 1-999");
    EXPECT_EQ(refusal("-5"), "--bpms: '-5' is outside 1-999");
    EXPECT_EQ(refusal("0-10"), "--bpms: '0-10' is outside 1-999");
    EXPECT_EQ(refusal("990-1000:5"), "--bpms: '990-1000:5' is outside 1-999");
    EXPECT_EQ(refusal("abc"), "--bpms: 'abc' is not a tempo in beats a minute, as 120 or 92.5");
    EXPECT_EQ(refusal("90,,120"), "--bpms: '' is not a tempo in beats a minute, as 120 or 92.5");
    EXPECT_EQ(refusal(""), "--bpms: empty list");
    EXPECT_EQ(refusal("90-100.5"),
              "--bpms: '90-100.5': a range's ends and step are whole numbers; list a decimal tempo on its own");
    EXPECT_EQ(refusal("140-90"), "--bpms: '140-90': the range runs backwards");
}

}  // namespace
