// SPDX-License-Identifier: GPL-3.0-or-later
// host/read_only.hpp: JUCE's hosted VST3 parameters matched by ParamID to
// the controller's flags, whatever order either lists them in; anything
// that could mislabel a parameter (an id not listed, not a ParamID, listed
// twice) gives no labels at all.
#include <gtest/gtest.h>

#include "host/read_only.hpp"

namespace {

using vr::host::read_only_by_id;
using vr::host::vst3_param;

TEST(ReadOnlyById, FollowsTheIdsNotThePositions) {
    // A DPF-like list: a hidden proxy at 0, an output parameter last; JUCE
    // asks in an order of its own, and a ParamID past 2^31.
    const std::vector<vst3_param> listed{{0, false}, {2083, true}, {7, false}, {4294967295u, false}};
    auto got = read_only_by_id({"2083", "0", "4294967295", "7"}, listed);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, (std::vector<bool>{true, false, false, false}));
}

TEST(ReadOnlyById, NothingListedAndNothingAskedIsEmpty) {
    auto got = read_only_by_id({}, {});
    ASSERT_TRUE(got.has_value());
    EXPECT_TRUE(got->empty());
}

TEST(ReadOnlyById, AnIdTheControllerDoesNotListLabelsNothing) {
    EXPECT_FALSE(read_only_by_id({"1", "2"}, {{1, true}}).has_value());
}

TEST(ReadOnlyById, AnIdThatIsNoParamIdLabelsNothing) {
    const std::vector<vst3_param> listed{{1, false}, {12, true}};
    for (const char* bad : {"", "x", "1x", " 1", "-1", "+1", "1.0", "4294967296"})
        EXPECT_FALSE(read_only_by_id({bad}, listed).has_value()) << "id '" << bad << "'";
}

TEST(ReadOnlyById, AnIdListedTwiceLabelsNothing) {
    EXPECT_FALSE(read_only_by_id({"3"}, {{3, false}, {4, false}, {3, true}}).has_value());
}

}  // namespace
