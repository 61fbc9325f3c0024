// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for lib/jobs/automation: reading a job's `automation`, its
// record and wire forms, and the cursor that tells the host where to split
// its process calls.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "jobs/automation.hpp"

namespace {

using vr::json;
constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

vr::automation read(const std::string& text) { return vr::read_automation(json::parse(text), "automation"); }

// The whole message, so that a test pins the text a user reads.
std::string refusal(const json& value) {
    try {
        vr::read_automation(value, "automation");
    } catch (const vr::record_error& e) {
        return e.what();
    }
    return "accepted";
}

vr::automation_lane lane(std::vector<vr::automation_point> points) { return {"p", std::move(points)}; }

void expect_same(const vr::automation& a, const vr::automation& b) {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].key, b[i].key);
        ASSERT_EQ(a[i].points.size(), b[i].points.size()) << a[i].key;
        for (std::size_t j = 0; j < a[i].points.size(); ++j) {
            EXPECT_EQ(a[i].points[j].time_s, b[i].points[j].time_s);
            EXPECT_EQ(a[i].points[j].value, b[i].points[j].value);
        }
    }
}

TEST(AutomationRead, KeepsTheLanesInTheObjectsOrder) {
    auto a = read(R"({"7": [[0, 0], [1.5, 1]], "Cutoff": [[0.25, 0.5]], "2": [[3600, 0.5], [3600, 1]]})");
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(a[0].key, "7");
    EXPECT_EQ(a[1].key, "Cutoff");
    EXPECT_EQ(a[2].key, "2");
    ASSERT_EQ(a[0].points.size(), 2u);
    EXPECT_EQ(a[0].points[1].time_s, 1.5);
    EXPECT_EQ(a[0].points[1].value, 1.0);
    EXPECT_EQ(a[1].points[0].time_s, 0.25);
    EXPECT_EQ(a[1].points[0].value, 0.5);
    EXPECT_EQ(a[2].points[0].time_s, 3600.0);
    EXPECT_TRUE(read("{}").empty());
}

TEST(AutomationRead, RefusesWhatIsNotAnObjectOfLanes) {
    const std::string not_object =
        "field 'automation' must be an object {\"<parameter index or name>\": [[time_s, value], ...]}";
    EXPECT_EQ(refusal(json::parse("[[0, 1]]")), not_object);
    EXPECT_EQ(refusal(json(0.5)), not_object);
    EXPECT_EQ(refusal(json()), not_object);
    EXPECT_EQ(refusal(json::parse(R"({"3": []})")),
              "automation: parameter '3': must be a non-empty array of points [time_s, value]");
    EXPECT_EQ(refusal(json::parse(R"({"3": 0.5})")),
              "automation: parameter '3': must be a non-empty array of points [time_s, value]");
    EXPECT_EQ(refusal(json::parse(R"({"": [[0, 0.5]]})")),
              "automation: parameter '': the key is empty: give the parameter's index (\"3\") or name");
}

TEST(AutomationRead, RefusesPointsOfTheWrongShape) {
    EXPECT_EQ(refusal(json::parse(R"({"3": [[0, 0], [1, 0.5, 2]]})")),
              "automation: parameter '3': point 1 must be [time_s, value], not 3 numbers");
    EXPECT_EQ(refusal(json::parse(R"({"3": [[0]]})")),
              "automation: parameter '3': point 0 must be [time_s, value], not 1 numbers");
    EXPECT_EQ(refusal(json::parse(R"({"3": [0, 0.5]})")), "automation: parameter '3': point 0 must be [time_s, value]");
    EXPECT_EQ(refusal(json::parse(R"({"3": [["0", 0.5]]})")),
              "automation: parameter '3': point 0: time is not a number");
    EXPECT_EQ(refusal(json::parse(R"({"3": [[0, 0.5], [1, true]]})")),
              "automation: parameter '3': point 1: value is not a number");
    EXPECT_EQ(refusal(json::parse(R"({"3": [[0, null]]})")),
              "automation: parameter '3': point 0: value is not a number");
}

TEST(AutomationRead, RefusesNaNAndInfinityInTimeOrValue) {
    // JSON text cannot hold these; a record built in C++ can.
    EXPECT_EQ(refusal(json{{"3", {{0, 0.5}, {1, 0.5}, {2, nan}}}}),
              "automation: parameter '3': point 2: value is not a finite number");
    EXPECT_EQ(refusal(json{{"3", {{0, inf}}}}), "automation: parameter '3': point 0: value is not a finite number");
    EXPECT_EQ(refusal(json{{"3", {{nan, 0.5}}}}), "automation: parameter '3': point 0: time is not a finite number");
    EXPECT_EQ(refusal(json{{"3", {{0, 0.5}, {inf, 0.5}}}}),
              "automation: parameter '3': point 1: time is not a finite number");
    EXPECT_EQ(refusal(json{{"3", {{-inf, 0.5}}}}), "automation: parameter '3': point 0: time is not a finite number");
}

TEST(AutomationRead, RefusesValuesAndTimesOutOfRangeRatherThanClamping) {
    EXPECT_EQ(refusal(json::parse(R"({"3": [[0, 1.5]]})")), "automation: parameter '3': point 0: value 1.5 is outside 0 to 1");
    EXPECT_EQ(refusal(json::parse(R"({"3": [[0, 0], [1, -0.1]]})")),
              "automation: parameter '3': point 1: value -0.1 is outside 0 to 1");
    EXPECT_EQ(refusal(json::parse(R"({"3": [[-1, 0.5]]})")),
              "automation: parameter '3': point 0: time -1 s is outside 0 to 3600 s");
    EXPECT_EQ(refusal(json::parse(R"({"3": [[0, 0.5], [3600.5, 0.5]]})")),
              "automation: parameter '3': point 1: time 3600.5 s is outside 0 to 3600 s");
    EXPECT_EQ(refusal(json::parse(R"({"3": [[1e300, 0.5]]})")),
              "automation: parameter '3': point 0: time 1e+300 s is outside 0 to 3600 s");
    EXPECT_EQ(refusal(json::parse(R"({"3": [[0, 0], [3600, 1]]})")), "accepted");
}

TEST(AutomationRead, RefusesUnsortedPointsNamingBoth) {
    EXPECT_EQ(refusal(json::parse(R"({"1": [[0, 0]], "cut": [[0, 0], [0.2, 1], [0.7, 0], [0.5, 1]]})")),
              "automation: parameter 'cut': point 3 at 0.5 s comes before point 2 at 0.7 s: "
              "points must be sorted by time");
    // Equal times are a step, not a disorder.
    EXPECT_EQ(refusal(json::parse(R"({"cut": [[0, 0], [0.5, 0], [0.5, 1]]})")), "accepted");
}

TEST(AutomationRead, CountsPointsOverAllLanesAndNamesTheLaneThatPassesTheLimit) {
    // The count is checked before a lane's points are read, so null points
    // show where it stands: at the limit a lane is read (and its first null
    // refused); one more point is refused as too many.
    json at_limit = json::object();
    at_limit["a"] = json::parse("[[0, 0.5]]");
    at_limit["b"] = json(std::vector<json>(vr::max_automation_points - 1));
    EXPECT_EQ(refusal(at_limit), "automation: parameter 'b': point 0 must be [time_s, value]");
    at_limit["b"].push_back(nullptr);
    EXPECT_EQ(refusal(at_limit),
              "automation: parameter 'b': more than 1000000 automation points in all lanes; at most 1000000");
}

TEST(AutomationForms, RecordFormRoundTrips) {
    const json text = json::parse(R"({"7": [[0.0, 0.0], [1.5, 1.0]], "Cutoff": [[0.25, 0.125], [0.25, 0.75]]})");
    auto a = vr::read_automation(text, "automation");
    EXPECT_EQ(vr::automation_json(a), text);
    EXPECT_EQ(vr::automation_json(a).dump(), text.dump());
    expect_same(vr::read_automation(vr::automation_json(a), "automation"), a);
}

TEST(AutomationForms, WireFormRoundTripsAndRefusesWhatItCannotRead) {
    auto a = read(R"({"7": [[0, 0], [1.5, 1]], "Cutoff": [[0.1, 0.3]]})");
    json w = vr::automation_to_wire(a);
    EXPECT_EQ(w, json::parse(R"([["7", [[0.0, 0.0], [1.5, 1.0]]], ["Cutoff", [[0.1, 0.3]]]])"));
    expect_same(vr::automation_from_wire(w), a);
    expect_same(vr::automation_from_wire(json::parse(w.dump())), a);
    EXPECT_TRUE(vr::automation_from_wire(json::array()).empty());
    for (const char* bad : {"null", "{}", "[[1, [[0, 0]]]]", R"([["k"]])", R"([["k", []]])", R"([["k", [[0]]]])",
                            R"([["k", [["0", 1]]]])", R"([["k", [0, 1]]])"})
        EXPECT_THROW(vr::automation_from_wire(json::parse(bad)), vr::record_error) << bad;
}

TEST(AutomationCursor, ValueIsLinearBetweenPointsAndHeldOutside) {
    vr::lane_cursor ramp(lane({{0, 0}, {1, 1}}), 48000);
    EXPECT_EQ(ramp.value_at(0), 0.0);
    EXPECT_EQ(ramp.value_at(12000), 0.25);
    EXPECT_EQ(ramp.value_at(24000), 0.5);
    EXPECT_EQ(ramp.value_at(48000), 1.0);
    EXPECT_EQ(ramp.value_at(96000), 1.0);

    vr::lane_cursor late(lane({{0.5, 0.2}, {1, 0.8}}), 48000);
    EXPECT_EQ(late.value_at(0), 0.2);
    EXPECT_EQ(late.value_at(24000), 0.2);
    EXPECT_DOUBLE_EQ(late.value_at(36000), 0.5);
    EXPECT_EQ(late.value_at(48000), 0.8);
}

TEST(AutomationCursor, AtASharedTimeTheLaterPointHolds) {
    vr::lane_cursor step(lane({{0, 0.1}, {1, 0.1}, {1, 0.9}}), 48000);
    EXPECT_EQ(step.value_at(47999), 0.1);
    EXPECT_EQ(step.value_at(48000), 0.9);

    vr::lane_cursor three(lane({{1, 0.1}, {1, 0.5}, {1, 0.9}}), 48000);
    EXPECT_EQ(three.value_at(47999), 0.1);
    EXPECT_EQ(three.value_at(48000), 0.9);

    // A ramp up, a drop at 1 s, a ramp up again: 10 frames a second.
    vr::lane_cursor saw(lane({{0, 0}, {1, 1}, {1, 0}, {2, 1}}), 10);
    EXPECT_EQ(saw.value_at(5), 0.5);
    EXPECT_EQ(saw.value_at(10), 0.0);
    EXPECT_EQ(saw.value_at(15), 0.5);
    EXPECT_EQ(saw.value_at(20), 1.0);
}

TEST(AutomationCursor, AConstantLaneNeverSplits) {
    for (auto points : {std::vector<vr::automation_point>{{0, 0.3}}, std::vector<vr::automation_point>{{5, 0.3}},
                        std::vector<vr::automation_point>{{0, 0.3}, {1, 0.3}, {2, 0.3}, {2, 0.3}}}) {
        vr::lane_cursor c(lane(points), 48000);
        ASSERT_EQ(c.points().size(), 1u);
        EXPECT_EQ(c.points()[0].time_s, points[0].time_s);
        EXPECT_EQ(c.next_split(0, 32), never);
        EXPECT_EQ(c.value_at(0), 0.3);
        EXPECT_EQ(c.value_at(480000), 0.3);
    }
}

TEST(AutomationCursor, DropsPointsInsideRunsOfEqualValues) {
    vr::lane_cursor aaab(lane({{0, 0.2}, {1, 0.2}, {2, 0.2}, {3, 0.6}}), 10);
    ASSERT_EQ(aaab.points().size(), 2u);
    EXPECT_EQ(aaab.points()[0].time_s, 2.0);
    EXPECT_EQ(aaab.points()[1].time_s, 3.0);
    EXPECT_EQ(aaab.next_split(0, 4), 20);  // held until the ramp starts
    EXPECT_EQ(aaab.next_split(20, 4), 24);
    EXPECT_DOUBLE_EQ(aaab.value_at(25), 0.4);

    vr::lane_cursor baaac(lane({{0, 1}, {1, 0.5}, {2, 0.5}, {3, 0.5}, {4, 0}}), 10);
    ASSERT_EQ(baaac.points().size(), 4u);
    EXPECT_EQ(baaac.points()[1].time_s, 1.0);
    EXPECT_EQ(baaac.points()[2].time_s, 3.0);
    EXPECT_EQ(baaac.next_split(10, 4), 30);  // the held middle is one block
    EXPECT_EQ(baaac.value_at(20), 0.5);
}

TEST(AutomationCursor, ARampSplitsEveryStepAndEndsExactlyAtItsLastFrame) {
    vr::lane_cursor ramp(lane({{0, 0}, {1, 1}}), 48000);
    std::vector<std::int64_t> got, want;
    for (std::int64_t f = 0; f != never; f = ramp.next_split(f, 32)) got.push_back(f);
    for (std::int64_t f = 0; f <= 48000; f += 32) want.push_back(f);
    EXPECT_EQ(got, want);

    // A ramp ending between frames ends at the next whole frame.
    vr::lane_cursor odd(lane({{0, 0}, {0.5, 1}}), 44101);  // ends at frame 22050.5
    EXPECT_EQ(odd.next_split(22048, 32), 22051);
    EXPECT_EQ(odd.next_split(22051, 32), never);

    vr::lane_cursor late(lane({{1, 0}, {2, 1}}), 48000);
    EXPECT_EQ(late.next_split(0, 32), 48000);
    EXPECT_EQ(late.next_split(48000, 32), 48032);

    vr::lane_cursor step(lane({{0, 0.1}, {1, 0.1}, {1, 0.9}}), 48000);
    EXPECT_EQ(step.next_split(0, 32), 48000);
    EXPECT_EQ(step.next_split(48000, 32), never);
}

TEST(AutomationCursor, AFrameGoingBackRestartsTheWalk) {
    vr::lane_cursor saw(lane({{0, 0}, {1, 1}, {1, 0}, {2, 1}}), 10);
    EXPECT_EQ(saw.value_at(30), 1.0);
    EXPECT_EQ(saw.value_at(5), 0.5);
    EXPECT_EQ(saw.next_split(0, 4), 4);
    EXPECT_EQ(saw.value_at(15), 0.5);
}

// The cursor's value against a binary search over every point of the lane.
double reference_value(const std::vector<vr::automation_point>& points, int rate, std::int64_t f) {
    const double x = static_cast<double>(f);
    auto after = std::upper_bound(points.begin(), points.end(), x,
                                  [rate](double v, const vr::automation_point& p) { return v < p.time_s * rate; });
    if (after == points.begin()) return points.front().value;
    if (after == points.end()) return points.back().value;
    const auto& a = *(after - 1);
    const auto& b = *after;
    return a.value + (b.value - a.value) * (x - a.time_s * rate) / (b.time_s * rate - a.time_s * rate);
}

TEST(AutomationCursor, AHundredThousandPointLaneWalksAWholeRender) {
    // Ramps, held runs and steps: 100,000 points over 10 s.
    json points = json::array();
    for (int i = 0; i < 100000; ++i) {
        double t = (i / 2) * 2e-4;  // pairs share a time: each pair is a step
        double v = (i % 10 < 4) ? 0.5 : (i * 7 % 11) / 10.0;
        points.push_back(json::array({t, v}));
    }
    auto a = vr::read_automation(json{{"3", points}}, "automation");
    ASSERT_EQ(a.size(), 1u);
    ASSERT_EQ(a[0].points.size(), 100000u);
    vr::lane_cursor c(a[0], 48000);
    EXPECT_LT(c.points().size(), 100000u);
    std::size_t blocks = 0, not_after = 0, wrong = 0;
    std::int64_t f = 0;
    for (; f < 480000; ++blocks) {
        if (c.value_at(f) != reference_value(a[0].points, 48000, f)) ++wrong;
        std::int64_t s = c.next_split(f, 32);
        if (s <= f) ++not_after;
        f = s;
    }
    EXPECT_EQ(not_after, 0u);
    EXPECT_EQ(wrong, 0u);
    EXPECT_EQ(f, never);  // the last point is at 9.9998 s: no split after it
    EXPECT_GT(blocks, 10000u);
}

}  // namespace
