// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for JUCE's base64 and its VST3 state blob, on the real state
// captured from Serum 2.1.4 and on broken variants of it.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "presets/juce_state.hpp"
#include "serum_fixtures.hpp"

namespace {

using namespace serum_tests;

byte_vector real_blob() {
    return read_bytes(fixtures() / "files/wiillownet/serum_2.1.4_default_state.bin");
}

// The text of an element of the blob's XML.
std::string element_text(const byte_vector& blob, const std::string& name) {
    std::string xml(blob.begin(), blob.end());
    std::size_t open = xml.find("<" + name + ">");
    std::size_t close = xml.find("</" + name + ">");
    if (open == std::string::npos || close == std::string::npos) return "";
    open += name.size() + 2;
    return xml.substr(open, close - open);
}

TEST(JuceBase64, RoundTripsTheRealSerumState) {
    auto blob = real_blob();
    for (const char* name : {"IComponent", "IEditController"}) {
        SCOPED_TRACE(name);
        std::string text = element_text(blob, name);
        ASSERT_GT(text.size(), 100u);
        auto bytes = vr::juce_base64_decode(text, name);
        EXPECT_EQ(vr::juce_base64_encode(bytes), text);
    }
    auto component = vr::juce_base64_decode(element_text(blob, "IComponent"), "IComponent");
    EXPECT_EQ(component, read_bytes(fixtures() / "files/wiillownet/serum_2.1.4_default_state.IComponent.xferjson.bin"));
}

TEST(JuceBase64, PacksSixBitGroupsLowBitsFirst) {
    EXPECT_EQ(vr::juce_base64_encode(byte_vector{}), "0.");
    EXPECT_EQ(vr::juce_base64_encode(byte_vector{0x58}), "1.XA");  // 0x58: 24 ('X'), then 1 ('A')
    EXPECT_EQ(vr::juce_base64_encode(byte_vector{0xff, 0xff, 0xff}), "3.++++");
    EXPECT_EQ(vr::juce_base64_decode("0.", "t"), byte_vector{});
    EXPECT_EQ(vr::juce_base64_decode("1.XA", "t"), byte_vector{0x58});
    for (std::size_t n = 0; n < 40; ++n) {
        byte_vector b(n);
        for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 37 + 11);
        EXPECT_EQ(vr::juce_base64_decode(vr::juce_base64_encode(b), "t"), b) << n;
    }
}

TEST(JuceBase64, DecoderIsStrict) {
    const char* bad[] = {
        "",        // no dot
        "4",       // no dot
        ".AA",     // no count
        "01.XA",   // leading zero
        "x1.XA",   // not a number
        "1.X",     // too few characters
        "1.XAA",   // too many
        "1.X=",    // not in the alphabet
        "1.X/",    // RFC 4648's character, not JUCE's
        "1.X A",   // a space
        "1.AE",    // bits set past the last byte
        "99999999999999999999999999.XA",  // count far past the text
    };
    for (const char* text : bad) EXPECT_THROW(vr::juce_base64_decode(text, "t"), vr::format_error) << text;
    try {
        vr::juce_base64_decode("12.XA", "IComponent", 100);
        FAIL() << "no throw";
    } catch (const vr::format_error& e) {
        EXPECT_STREQ(e.what(),
                     "IComponent: bad JUCE base64 at byte 100: the count says 12 bytes but 2 characters follow (16 needed)");
    }
}

TEST(JuceState, ParsesAndRebuildsTheRealBlob) {
    auto blob = real_blob();
    ASSERT_TRUE(vr::is_vst3_state_blob(blob));
    auto state = vr::parse_vst3_state_blob(blob);
    EXPECT_EQ(state.component.size(), 1233u);
    ASSERT_TRUE(state.controller);
    EXPECT_EQ(state.controller->size(), 909u);
    EXPECT_EQ(vr::make_vst3_state_blob(state), blob);
}

TEST(JuceState, TakesANewlineAfterTheDeclaration) {
    vr::vst3_state s{{1, 2, 3}, std::nullopt};
    auto blob = vr::make_vst3_state_blob(s);
    std::string text(blob.begin(), blob.end());
    std::size_t space = text.find("?> <");
    ASSERT_NE(space, std::string::npos);
    blob[space + 2] = '\n';
    auto back = vr::parse_vst3_state_blob(blob);
    EXPECT_EQ(back.component, s.component);
    EXPECT_FALSE(back.controller);
}

TEST(JuceState, RefusesEveryTruncation) {
    auto blob = real_blob();
    for (std::size_t n = 0; n < blob.size(); ++n)
        EXPECT_THROW(vr::parse_vst3_state_blob(std::span(blob).first(n)), vr::format_error) << n;
}

TEST(JuceState, RefusesBrokenBlobs) {
    auto good = vr::make_vst3_state_blob({{1, 2, 3}, std::nullopt});
    const std::string b64 = vr::juce_base64_encode(byte_vector{1, 2, 3});
    auto broken = [&](auto change) {
        byte_vector b = good;
        change(b);
        return b;
    };
    auto replace = [](byte_vector& b, const std::string& from, const std::string& to) {
        std::string s(b.begin(), b.end());
        s.replace(s.find(from), from.size(), to);
        byte_vector out(s.begin(), s.end());
        std::uint32_t len = static_cast<std::uint32_t>(out.size() - 9);
        for (int i = 0; i < 4; ++i) out[4 + i] = static_cast<std::uint8_t>(len >> (8 * i));
        b = out;
    };
    std::vector<std::pair<std::string, byte_vector>> cases = {
        {"wrong magic", broken([](byte_vector& b) { b[3] = '?'; })},
        {"length past the end", broken([](byte_vector& b) { b[5] = 0x7f; })},
        {"no NUL", broken([](byte_vector& b) { b.back() = ' '; })},
        {"trailing garbage", broken([](byte_vector& b) { b.push_back(0); })},
        {"other root", broken([&](byte_vector& b) { replace(b, "VST3PluginState>", "VST3PluginStat>"); })},
        {"no component", broken([&](byte_vector& b) { replace(b, "<IComponent>" + b64 + "</IComponent>", ""); })},
        {"unclosed", broken([&](byte_vector& b) { replace(b, "</IComponent>", "</IComp>"); })},
        {"bad base64", broken([&](byte_vector& b) { replace(b, b64, b64.substr(0, 5)); })},
        {"text after", broken([&](byte_vector& b) { replace(b, "</VST3PluginState>", "</VST3PluginState>x"); })},
        {"no declaration", broken([&](byte_vector& b) { replace(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?> ", ""); })},
    };
    EXPECT_EQ(vr::parse_vst3_state_blob(good).component, (byte_vector{1, 2, 3}));
    for (const auto& [name, bytes] : cases)
        EXPECT_THROW(vr::parse_vst3_state_blob(bytes), vr::format_error) << name;
}

}  // namespace
