// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for the edit distance in lib/core/text and the suggestions made
// from it (unknown options, unknown set_params names).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/text.hpp"

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
    EXPECT_EQ(vr::edit_distance("", ""), 0u);
    EXPECT_EQ(vr::edit_distance("abc", ""), 3u);
    EXPECT_EQ(vr::edit_distance("", "abc"), 3u);
    EXPECT_EQ(vr::edit_distance("kitten", "sitting"), 3u);
    EXPECT_EQ(vr::edit_distance("sitting", "kitten"), 3u);
    EXPECT_EQ(vr::edit_distance("flaw", "lawn"), 2u);
    EXPECT_EQ(vr::edit_distance("cutoff", "cutof"), 1u);
    EXPECT_EQ(vr::edit_distance("Cutoff", "cutoff"), 1u);  // case counts here
}

TEST(ClosestMatches, NearestFirstCaseIgnoredTiesInOrder) {
    const std::vector<std::string> names = {"filter_resonance", "filter_cutoff", "osc1_waveform", "Filter_Cutoff_Env",
                                            "amp_attack", "filter_cutoff2"};
    EXPECT_EQ(vr::closest_matches("filter_cutof", names, 3), (std::vector<std::size_t>{1, 5, 3}));
    // Case does not count: "FILTER_CUTOFF" is "filter_cutoff".
    EXPECT_EQ(vr::closest_matches("FILTER_CUTOFF", names, 1), (std::vector<std::size_t>{1}));
    // Equal distances keep the candidates' order.
    EXPECT_EQ(vr::closest_matches("ab", {"xb", "ax", "ab"}, 3), (std::vector<std::size_t>{2, 0, 1}));
    // Fewer candidates than asked for, none, and none close enough.
    EXPECT_EQ(vr::closest_matches("a", {"b"}, 5), (std::vector<std::size_t>{0}));
    EXPECT_TRUE(vr::closest_matches("a", {}, 5).empty());
    EXPECT_TRUE(vr::closest_matches("zzzzzz", names, 5, 2).empty());
    EXPECT_EQ(vr::closest_matches("amp_atack", names, 5, 2), (std::vector<std::size_t>{4}));
    EXPECT_TRUE(vr::closest_matches("x", names, 0).empty());
}
