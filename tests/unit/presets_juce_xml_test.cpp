// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for JUCE XML presets: which XML counts (the sniff and the
// shapes), the program name, and the strict XML reader under them.
#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "presets/detect.hpp"
#include "presets/juce_xml_preset.hpp"
#include "presets/scan.hpp"
#include "presets/xml_document.hpp"
#include "presets_fixtures.hpp"

namespace {

using namespace preset_tests;

std::string xml_error(const std::string& s) {
    return error_message<vr::format_error>([&] { vr::read_xml_document(s); });
}

const std::string decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n";

TEST(JuceXml, EveryFixtureMatchesItsIndexRow) {
    auto rows = index_rows("juce-xml");
    ASSERT_EQ(rows.size(), 3u);
    for (const auto& r : rows) {
        SCOPED_TRACE(r.at("file"));
        auto bytes = load("juce-xml", r.at("file"));
        EXPECT_EQ(vr::sniff_preset_any(bytes), vr::preset_kind::juce_xml);
        auto s = vr::summarize_preset(bytes, "/x/" + r.at("file"));
        EXPECT_EQ(s.format, "juce-xml");
        EXPECT_EQ(s.plugin_id, r.at("root"));
        EXPECT_EQ(s.name, r.at("preset_name"));
    }
}

TEST(JuceXml, OnlyPluginStatesCount) {
    // As a scan does: the first 512 bytes.
    auto sniff = [](const std::string& s) { return vr::sniff_preset_any(bytes_of(s.substr(0, vr::sniff_size))); };
    EXPECT_EQ(sniff(decl + "<tal curprogram=\"0\" a='>'>\n  <programs>"), vr::preset_kind::juce_xml);
    EXPECT_EQ(sniff("\xEF\xBB\xBF<!-- c --><P><PARAM id=\"a\" value=\"1\"/></P>"), vr::preset_kind::juce_xml);
    // Property lists, SVG, configurations, a root with no children, other first children.
    EXPECT_EQ(sniff(decl + "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"x\">\n<plist version=\"1.0\"><dict/></plist>"),
              vr::preset_kind::none);
    EXPECT_EQ(sniff(decl + "<svg xmlns=\"http://www.w3.org/2000/svg\"><path d=\"M0 0\"/></svg>"), vr::preset_kind::none);
    EXPECT_EQ(sniff(decl + "<config><programs_dir>x</programs_dir></config>"), vr::preset_kind::none);
    EXPECT_EQ(sniff(decl + "<tal curprogram=\"0\"/>"), vr::preset_kind::none);
    EXPECT_EQ(sniff(decl + "<Parameters><PARAMETER id=\"a\"/></Parameters>"), vr::preset_kind::none);
    // The root's first child past the head: not sniffed.
    EXPECT_EQ(sniff(decl + "<tal" + std::string(600, ' ') + "><programs>"), vr::preset_kind::none);
    EXPECT_FALSE(vr::sniff_settled(bytes_of(decl + "<tal>")));
    EXPECT_TRUE(vr::sniff_settled(bytes_of("plain text")));
    EXPECT_EQ(vr::claimed_by_name("Lead.noisemakerpreset"), vr::preset_kind::juce_xml);
    EXPECT_EQ(vr::claimed_by_name("x.xml"), vr::preset_kind::none);
}

TEST(JuceXml, ABrokenShapeOrDocumentIsRefusedAtItsByte) {
    auto err = [](const std::string& s) {
        return error_message<vr::format_error>([&] { vr::read_juce_xml_preset(bytes_of(s)); });
    };
    EXPECT_EQ(err("<tal><programs><programme/></programs></tal>"),
              "byte 15: <programme> inside <programs>, which holds <program> elements");
    EXPECT_EQ(err("<tal><programs></programs></tal>"), "byte 5: <programs> holds no <program>");
    EXPECT_EQ(err("<P><PARAM id=\"a\"/></P>"), "byte 3: a <PARAM> without its id or value");
    EXPECT_EQ(err("<tal><programs><program programname=\"x\"/></programs>"), "byte 0: <tal> without its end tag");
    EXPECT_EQ(error_message<vr::not_a_preset>([&] { vr::read_juce_xml_preset(bytes_of("<a><b/></a>")); }),
              "an XML document whose root <a> starts with <b>, not a JUCE plugin's state");
    // The current program of a bank names it; an unnamed one leaves the name to the file.
    auto bank = vr::read_juce_xml_preset(bytes_of(
        "<tal curprogram=\"2\"><programs><program programname=\"a\"/><program/><program programname=\"c\"/></programs></tal>"));
    EXPECT_EQ(bank.root, "tal");
    EXPECT_EQ(bank.name, "c");
    EXPECT_EQ(vr::read_juce_xml_preset(bytes_of("<tal curprogram=\"1\"><programs><program programname=\"a\"/><program/></programs></tal>")).name, "");
    EXPECT_EQ(vr::read_juce_xml_preset(bytes_of("<tal curprogram=\"9\"><programs><program programname=\"a\"/></programs></tal>")).name, "a");
}

TEST(XmlDocument, ReadsStrictly) {
    auto root = vr::read_xml_document(decl + "<!-- x --><a b=\"1 &amp; &#x41;&#66;\" c='&lt;&quot;'>text <![CDATA[<raw>]]><?pi x?>\n<d/><e></e ></a>\n<!-- y -->\n");
    EXPECT_EQ(root.name, "a");
    EXPECT_EQ(*root.attribute("b"), "1 & AB");
    EXPECT_EQ(*root.attribute("c"), "<\"");
    ASSERT_EQ(root.children.size(), 2u);
    EXPECT_EQ(root.children[1].name, "e");
    EXPECT_EQ(xml_error(""), "byte 0: no root element");
    EXPECT_EQ(xml_error("x<a/>"), "byte 0: text before the root element");
    EXPECT_EQ(xml_error("<a></b>"), "byte 5: </b> closes <a> of byte 0");
    EXPECT_EQ(xml_error("<a x=\"1\" x=\"2\"/>"), "byte 9: the attribute x given twice");
    EXPECT_EQ(xml_error("<a x=1/>"), "byte 5: expected a quoted value");
    EXPECT_EQ(xml_error("<a x=\"<\"/>"), "byte 6: '<' inside a quoted value");
    EXPECT_EQ(xml_error("<a>&nbsp;</a>"), "byte 3: the undeclared entity &nbsp;");
    EXPECT_EQ(xml_error("<a>&#0;</a>"), "byte 3: a malformed character reference");
    EXPECT_EQ(xml_error("<a/><b/>"), "byte 4: more after the root element");
    EXPECT_EQ(xml_error("<!DOCTYPE a><a/>"), "byte 0: a DOCTYPE, which no plugin state has");
    EXPECT_EQ(xml_error("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>"),
              "byte 29: encoding ISO-8859-1 (only UTF-8 is read)");
    EXPECT_EQ(xml_error("<a>\xFF</a>"), "byte 3: not UTF-8");
    EXPECT_EQ(xml_error("<a>\x01</a>"), "byte 3: a control character XML does not allow");
    EXPECT_EQ(xml_error("<a><!-- a -- b --></a>"), "byte 10: '--' inside a comment");
    EXPECT_EQ(xml_error("<a> <?xml version=\"1.0\"?></a>"), "byte 4: an XML declaration that is not at the start");
    EXPECT_EQ(xml_error("<a>]]></a>"), "byte 3: ']]>' in text");
    std::string deep;
    for (int i = 0; i < 300; ++i) deep += "<a>";
    EXPECT_EQ(xml_error(deep), "byte 768: elements nested deeper than 256");
}

}  // namespace
