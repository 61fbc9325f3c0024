// SPDX-License-Identifier: GPL-3.0-or-later
// bad_line_json writes a bad line's error record as text, for speed: it
// must stay byte for byte the dump of bad_line_record, whatever the line
// holds (quotes, backslashes, controls, non-ASCII, long text).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/records.hpp"

namespace {

TEST(BadLineJson, IsTheDumpOfBadLineRecord) {
    const std::vector<std::string> lines = {
        "not json",
        "",
        "{\"a\":",
        "[1,2]",
        "quote \" backslash \\ slash / tab \t cr \r bell \x07 del \x7f",
        std::string("nul \0 inside", 12),
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xb9",
        std::string(3000, 'x') + "\"",
    };
    const std::vector<std::string> messages = {
        "syntax error while parsing value - invalid literal; last read: 'n'",
        "not a JSON object",
        "message with \"quotes\" and \\ and \n newline",
    };
    std::size_t n = 0;
    for (const auto& line : lines) {
        for (const auto& message : messages) {
            ++n;
            auto text = vr::bad_line_json(n, message, line);
            ASSERT_TRUE(text.has_value()) << line;
            std::string expected = vr::bad_line_record(n, message, line).dump();
            // The writer's line may end in a newline; the record is the rest.
            std::string got = *text;
            if (!got.empty() && got.back() == '\n') got.pop_back();
            EXPECT_EQ(got, expected) << "line " << n << ": " << line.substr(0, 60);
        }
    }
}

TEST(BadLineJson, GivesWayOnInvalidUtf8InTheMessage) {
    EXPECT_FALSE(vr::bad_line_json(1, "bad \xff byte", "x").has_value());
}

}  // namespace
