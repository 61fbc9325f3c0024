// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for a plugin's own state as render-one hands it over: JUCE's
// binary XML told apart from JUCE's VST3 blob by its root element, JUCE's
// VST3 private block, and the LV2 state documents of each JUCE wrapper.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "presets/juce_state.hpp"
#include "presets/lv2_state.hpp"

namespace {

using bytes = std::vector<std::uint8_t>;

bytes of(std::string_view s) { return {s.begin(), s.end()}; }

// JUCE's copyXmlToBinary: "VC2!", the length, the text, a NUL.
bytes binary_xml(std::string_view xml) {
    bytes out = of("VC2!");
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(xml.size() >> (8 * i)));
    out.insert(out.end(), xml.begin(), xml.end());
    out.push_back(0);
    return out;
}

TEST(JuceBinaryXml, TellsAPluginsOwnRootFromTheVst3Blob) {
    auto tal = binary_xml("<?xml version=\"1.0\" encoding=\"UTF-8\"?> <tal curprogram=\"0\" version=\"1.7\"><programs/></tal>");
    EXPECT_FALSE(vr::is_juce_vst3_state(tal));
    ASSERT_TRUE(vr::juce_binary_xml_text(tal));
    EXPECT_EQ(vr::xml_root_element(*vr::juce_binary_xml_text(tal)), "tal");
    auto dexed = binary_xml("<?xml version=\"1.0\"?>\n<!-- saved -->\n<dexedState cutoff=\"1\"/>");
    EXPECT_EQ(vr::xml_root_element(*vr::juce_binary_xml_text(dexed)), "dexedState");
    EXPECT_FALSE(vr::is_juce_vst3_state(dexed));
    auto vst3 = vr::make_vst3_state_blob(vr::vst3_state{of("VRTS"), std::nullopt});
    EXPECT_TRUE(vr::is_juce_vst3_state(vst3));
    // A length past the end is no binary XML; the VST3 parser names the fault.
    bytes broken = vst3;
    broken[4] = 0xff;
    EXPECT_FALSE(vr::juce_binary_xml_text(broken));
    EXPECT_TRUE(vr::is_juce_vst3_state(broken));
    EXPECT_FALSE(vr::is_juce_vst3_state(of("{\"json\": 1}")));
}

TEST(JucePrivateData, IsLeftOutOfAComponentState) {
    bytes own = of("VRTS own state");
    bytes component = own;
    bytes tree = of("tree");
    for (int i = 0; i < 8; ++i) component.push_back(0);
    component.insert(component.end(), tree.begin(), tree.end());
    for (int i = 0; i < 8; ++i) component.push_back(i == 0 ? static_cast<std::uint8_t>(tree.size()) : 0);
    auto magic = of("JUCEPrivateData");
    component.insert(component.end(), magic.begin(), magic.end());
    auto stripped = vr::without_juce_private_data(component);
    EXPECT_EQ(bytes(stripped.begin(), stripped.end()), own);
    auto whole = vr::without_juce_private_data(own);
    EXPECT_EQ(bytes(whole.begin(), whole.end()), own);
}

// What lilv writes for a state (shape of JUCE's LV2 host's saved state).
std::string saved_state(std::string_view property, std::string_view literal) {
    return "@prefix atom: <http://lv2plug.in/ns/ext/atom#> .\n@prefix pset: <http://lv2plug.in/ns/ext/presets#> .\n"
           "@prefix state: <http://lv2plug.in/ns/ext/state#> .\n\n<urn:x/savedState>\n\ta pset:Preset ;\n"
           "\tstate:state [\n\t\t<" + std::string(property) + "> " + std::string(literal) + "\n\t] .\n";
}

TEST(Lv2State, KnowsAStateDocumentWithOrWithoutPrefixes) {
    // As JUCE's LV2 host saves it (lilv's text, no @prefix lines).
    EXPECT_TRUE(vr::is_lv2_state_document(of("<urn:x/savedState>\n\ta pset:Preset ;\n\tlv2:appliesTo <urn:x> .\n")));
    EXPECT_TRUE(vr::is_lv2_state_document(of(saved_state("urn:x:StateString", "\"1.A\""))));
    EXPECT_FALSE(vr::is_lv2_state_document(of("{\"pset:Preset\": 1}")));
    EXPECT_FALSE(vr::is_lv2_state_document(of("VC2!")));
}

TEST(Lv2State, FindsEachWrappersProperty) {
    auto juce7 = vr::find_lv2_state_property(saved_state("urn:x:StateString", "\"4.ABC.D\""), "urn:x");
    ASSERT_TRUE(juce7);
    EXPECT_EQ(juce7->uri, "urn:x:StateString");
    EXPECT_EQ(juce7->kind, vr::lv2_state_kind::juce_base64);
    auto chunk = vr::find_lv2_state_property(saved_state("urn:juce:stateBinary", "\"AA==\"^^xsd:base64Binary"), "urn:x");
    ASSERT_TRUE(chunk);
    EXPECT_EQ(chunk->kind, vr::lv2_state_kind::chunk);
    auto text = vr::find_lv2_state_property(saved_state("urn:juce:stateString", "\"<tal/>\""), "urn:x");
    ASSERT_TRUE(text);
    EXPECT_EQ(text->kind, vr::lv2_state_kind::text);
    // DPF's keys are the plugin URI and '#': no one property holds the state.
    EXPECT_FALSE(vr::find_lv2_state_property(saved_state("urn:x#waveform", "\"saw\""), "urn:x"));
}

TEST(Lv2State, ReadsBackWhatItWrites) {
    const bytes json = of("{\"a\": \"quote \\\" and\\nnewline\", \"b\": [1, 2]}\n");
    const bytes binary = {0, 1, 2, 0xff, 0xfe, '"', '\\', 10};
    for (auto kind : {vr::lv2_state_kind::juce_base64, vr::lv2_state_kind::chunk, vr::lv2_state_kind::text}) {
        vr::lv2_state_property property{"urn:p", kind};
        for (const bytes* b : {&json, &binary}) {
            if (kind == vr::lv2_state_kind::text && b == &binary) continue;
            auto doc = vr::make_lv2_state_document("urn:x", property, *b);
            EXPECT_TRUE(vr::is_lv2_state_document(of(doc)));
            EXPECT_NE(doc.find("lv2:appliesTo <urn:x>"), std::string::npos);
            auto back = vr::lv2_state_property_bytes(doc, property);
            ASSERT_TRUE(back) << doc;
            EXPECT_EQ(*back, *b) << doc;
        }
    }
}

TEST(Lv2State, WritesAChunkAsXsdBase64Binary) {
    vr::lv2_state_property chunk{"urn:juce:stateBinary", vr::lv2_state_kind::chunk};
    auto doc = vr::make_lv2_state_document("urn:x", chunk, of("hello"));
    EXPECT_NE(doc.find("<urn:juce:stateBinary> \"aGVsbG8=\"^^<http://www.w3.org/2001/XMLSchema#base64Binary>"),
              std::string::npos)
        << doc;
}

TEST(Lv2State, ReadsLilvsLongStrings) {
    vr::lv2_state_property text{"urn:juce:stateString", vr::lv2_state_kind::text};
    auto back = vr::lv2_state_property_bytes(saved_state(text.uri, "\"\"\"<tal a=\"1\">\n</tal>\\\"\"\"\""), text);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, of("<tal a=\"1\">\n</tal>\""));
    auto escaped = vr::lv2_state_property_bytes(saved_state(text.uri, "\"caf\\u00E9\""), text);
    ASSERT_TRUE(escaped);
    EXPECT_EQ(*escaped, of("caf\xc3\xa9"));
}

TEST(Lv2State, GivesATextPropertyTheXmlOfBinaryXml) {
    vr::lv2_state_property text{"urn:juce:stateString", vr::lv2_state_kind::text};
    auto doc = vr::make_lv2_state_document("urn:x", text, binary_xml("<tal version=\"1.7\"/>"));
    EXPECT_EQ(*vr::lv2_state_property_bytes(doc, text), of("<tal version=\"1.7\"/>"));
    EXPECT_THROW(vr::make_lv2_state_document("urn:x", text, bytes{0xff, 0xfe}), vr::record_error);
}

}  // namespace
