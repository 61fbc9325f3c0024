// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for the Turtle reading both LV2 readers share (plugins/turtle),
// and for the two readers agreeing on what it gives them.
#include <gtest/gtest.h>

#include <string>

#include "plugins/lv2_manifest.hpp"
#include "plugins/plugin_scan_ttl.hpp"
#include "plugins/turtle.hpp"

namespace {

using vr::turtle_kind;
using vr::turtle_reader;

TEST(TurtleReader, DirectivesOfBothFormsDeclarePrefixesThatNamesExpandBy) {
    const std::string text =
        "@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"
        "PREFIX doap: <http://usefulinc.com/ns/doap#>\n"
        "@base <http://example.org/> .\n"
        "<x> a lv2:Plugin .\n";
    turtle_reader r(text);
    EXPECT_TRUE(r.directive());
    EXPECT_TRUE(r.directive());
    EXPECT_TRUE(r.directive());  // a base: read past
    EXPECT_FALSE(r.directive());
    EXPECT_EQ(r.token().k, turtle_kind::iri);
    EXPECT_EQ(r.token().text, "x");
    EXPECT_EQ(r.expand("lv2:Plugin"), "http://lv2plug.in/ns/lv2core#Plugin");
    EXPECT_EQ(r.expand("doap:name"), "http://usefulinc.com/ns/doap#name");
    EXPECT_EQ(r.expand("a"), "http://www.w3.org/1999/02/22-rdf-syntax-ns#type");
    EXPECT_EQ(r.expand("_:b1"), "_:b1");
    EXPECT_EQ(r.expand("foaf:name"), "");  // never declared
    EXPECT_EQ(r.expand("true"), "");       // a word, no colon
}

TEST(TurtleReader, GroupsAreReadPastWithWhatTheyNest) {
    const std::string text = "[ a ( 1 [ 2 ] ) ; b 3 ] <after>";
    turtle_reader r(text);
    r.skip_group();
    EXPECT_EQ(r.token().k, turtle_kind::iri);
    EXPECT_EQ(r.token().text, "after");
    r.advance();
    EXPECT_TRUE(r.at_end());
    r.advance();
    EXPECT_TRUE(r.at_end());  // and stays there
}

// The manifest reader and plugin-scan's reader read one manifest alike:
// the same plugins, the same binaries, prefixes declared either way.
TEST(TurtleReader, BothLv2ReadersReadOneManifestAlike) {
    const std::string manifest =
        "@prefix lv2:  <http://lv2plug.in/ns/lv2core#> .\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "<urn:test:one> a lv2:Plugin ; lv2:binary <one.so> ; rdfs:seeAlso <one.ttl> .\n"
        "<urn:test:two> a lv2:Plugin , lv2:InstrumentPlugin ; lv2:binary <two.so> .\n"
        "_:blank a lv2:Plugin .\n";
    const auto entries = vr::parse_lv2_manifest(manifest, "/b.lv2");
    const auto described = vr::describe_lv2_texts({manifest}, "/b.lv2");
    ASSERT_EQ(entries.size(), 2u);
    ASSERT_EQ(described.size(), entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        EXPECT_EQ(described[i].uri, entries[i].uri);
        EXPECT_EQ(described[i].binary, entries[i].binary);
    }
    EXPECT_EQ(entries[0].uri, "urn:test:one");
    EXPECT_EQ(entries[0].binary, "/b.lv2/one.so");
    EXPECT_EQ(vr::lv2_category(described[1]), "instrument");
}

}  // namespace
