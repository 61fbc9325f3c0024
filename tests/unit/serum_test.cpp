// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for the Serum 2 preset code on the real files of
// tests/fixtures/serum2: the envelope, the payload, the rewrite into the
// processor shape, and the JUCE VST3 state it is handed over in.
#include <gtest/gtest.h>

#include <unistd.h>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "presets/juce_state.hpp"
#include "presets/serum.hpp"
#include "presets/serum_rewrite.hpp"
#include "presets/serum_store.hpp"
#include "serum_fixtures.hpp"

namespace {

using namespace serum_tests;

const vr::serum_limits limits;
const vr::processor_markers markers;

TEST(SerumEnvelope, ParsesTheHeaderOfARealPreset) {
    auto bytes = read_bytes(fixtures() / "files/wiillownet/test_preset.SerumPreset");
    vr::xfer_envelope env = vr::parse_xfer_envelope(bytes);
    EXPECT_EQ(env.meta["presetName"], "test_preset");
    EXPECT_EQ(env.meta["fileType"], "SerumPreset");
    EXPECT_EQ(env.cbor_size, 7823u);  // INDEX.tsv: cbor_size_hdr
    EXPECT_EQ(env.format_version, 2u);
    EXPECT_EQ(env.payload.size(), 1800u);  // INDEX.tsv: zstd_len
    EXPECT_EQ(env.payload.data() + env.payload.size(), bytes.data() + bytes.size());
    // Saved by Serum itself: the header hash is the md5 of the zstd frame.
    EXPECT_EQ(env.meta["hash"], vr::md5_hex(env.payload));
}

TEST(SerumEnvelope, EveryPresetMatchesItsMetaAndCborReferences) {
    auto stems = preset_stems();
    ASSERT_EQ(stems.size(), 6u);
    for (const auto& stem : stems) {
        SCOPED_TRACE(stem.string());
        auto doc = vr::read_serum_document(read_bytes(with_suffix(stem, ".SerumPreset")), limits);
        EXPECT_EQ(doc.meta, read_json(with_suffix(stem, ".meta.json")));
        EXPECT_EQ(doc.format_version, 2u);
        EXPECT_FALSE(doc.from_vst3_state);
        EXPECT_EQ(diff_against_reference(doc.data, read_json(with_suffix(stem, ".cbor.json"))), "");
    }
}

TEST(SerumEnvelope, DecodingAndEncodingGivesTheSameCborBytes) {
    // The encoder keeps widths and order: re-encoding what Serum wrote (and
    // what cbor2 wrote for the reference states) is the identity.
    std::vector<fs::path> files;
    for (const auto& stem : preset_stems()) {
        files.push_back(with_suffix(stem, ".SerumPreset"));
        files.push_back(with_suffix(stem, ".state.bin"));
    }
    files.push_back(fixtures() / "files/wiillownet/serum_2.1.4_default_state.IComponent.xferjson.bin");
    files.push_back(fixtures() / "files/wiillownet/serum_2.1.4_default_state.IEditController.xferjson.bin");
    for (const auto& f : files) {
        SCOPED_TRACE(f.string());
        auto bytes = read_bytes(f);
        std::vector<std::uint8_t> envelope = bytes;
        if (vr::is_vst3_state_blob(bytes)) envelope = vr::parse_vst3_state_blob(bytes).component;
        auto env = vr::parse_xfer_envelope(envelope);
        auto cbor = vr::zstd_inflate_exact(env.payload, env.cbor_size, 0);
        EXPECT_EQ(vr::encode_cbor(vr::decode_cbor(cbor)), cbor);
    }
}

TEST(SerumEnvelope, KeepsEachFloatsWidthThroughTheRewrite) {
    auto doc = vr::read_serum_document(
        read_bytes(fixtures() / "files/wiillownet/test_preset.SerumPreset"), limits);
    std::map<std::string, int> widths;
    float_widths(doc.data, "", widths);
    std::map<int, int> count;
    for (const auto& [path, w] : widths) ++count[w];
    EXPECT_EQ(count[4], 82);  // Serum 2.1.4 writes float32 and float64 here
    EXPECT_EQ(count[8], 15);
    // Every width survives the rewrite, path by path.
    vr::cbor_value proc = doc.data;
    vr::rewrite_preset_to_processor(proc, markers);
    std::map<std::string, int> after;
    float_widths(proc, "", after);
    std::size_t compared = 0;
    for (const auto& [path, w] : after)
        if (widths.count(path)) {
            EXPECT_EQ(w, widths[path]) << path;
            ++compared;
        }
    EXPECT_GT(compared, 30u);
    EXPECT_EQ(after["/version"], 4);
}

TEST(SerumState, TheRealSerumStateDecodesAndIsSorted) {
    auto bytes = read_bytes(fixtures() / "files/wiillownet/serum_2.1.4_default_state.bin");
    auto state = vr::parse_vst3_state_blob(bytes);
    ASSERT_TRUE(state.controller);
    const std::string base = (fixtures() / "files/wiillownet/serum_2.1.4_default_state.").string();
    EXPECT_EQ(state.component, read_bytes(base + "IComponent.xferjson.bin"));
    EXPECT_EQ(*state.controller, read_bytes(base + "IEditController.xferjson.bin"));
    auto doc = vr::read_serum_document(bytes, limits);
    EXPECT_TRUE(doc.from_vst3_state);
    EXPECT_EQ(doc.meta, read_json(base + "IComponent.meta.json"));
    EXPECT_EQ(diff_against_reference(doc.data, read_json(base + "IComponent.cbor.json")), "");
    EXPECT_TRUE(vr::cbor_keys_sorted(doc.data));
    auto controller = vr::read_serum_document(*state.controller, limits);
    EXPECT_EQ(controller.meta, read_json(base + "IEditController.meta.json"));
    EXPECT_EQ(diff_against_reference(controller.data, read_json(base + "IEditController.cbor.json")), "");
    EXPECT_TRUE(vr::cbor_keys_sorted(controller.data));
    // Written back the way JUCE writes it, the blob is the same bytes.
    EXPECT_EQ(vr::make_vst3_state_blob(state), bytes);
}

TEST(SerumState, EveryPresetConvertsToTheReferenceProcessorMap) {
    for (const auto& stem : preset_stems()) {
        SCOPED_TRACE(stem.string());
        auto preset = read_bytes(with_suffix(stem, ".SerumPreset"));
        vr::serum_state state = vr::convert_serum_preset(preset, limits, markers);
        vr::json reference = read_json(with_suffix(stem, ".proc.cbor.json"));

        // The blob, decoded layer by layer: VC2!, XML, JUCE base64, XferJson, zstd, CBOR.
        auto parts = vr::parse_vst3_state_blob(state.blob);
        EXPECT_FALSE(parts.controller);
        EXPECT_EQ(parts.component, state.envelope);
        auto env = vr::parse_xfer_envelope(parts.component);
        EXPECT_EQ(env.format_version, 2u);
        EXPECT_EQ(env.meta.dump(),
                  R"({"component":"processor","hash":")" + vr::md5_hex(env.payload) +
                      R"(","product":"Serum2","productVersion":"2.1.4","url":"https://xferrecords.com/","vendor":"Xfer Records","version":10.0})");
        auto doc = vr::read_serum_document(state.blob, limits);
        EXPECT_EQ(diff_against_reference(doc.data, reference), "");
        EXPECT_TRUE(vr::cbor_keys_sorted(doc.data));
        const vr::cbor_value* version = doc.data.find("version");
        ASSERT_TRUE(version);
        EXPECT_EQ(version->width, 4);
        EXPECT_EQ(version->float_value(), 10.0);
        EXPECT_EQ(*doc.data.find("killEnvsGracefullyCompat"), vr::cbor_value::boolean_value(true));

        // The reference implementation's own blob decodes to the same map.
        auto theirs = vr::read_serum_document(read_bytes(with_suffix(stem, ".state.bin")), limits);
        EXPECT_EQ(diff_against_reference(theirs.data, reference), "");
    }
}

TEST(SerumState, RefusesToConvertAStateAgain) {
    auto blob = read_bytes(fixtures() / "files/wiillownet/serum_2.1.4_default_state.bin");
    EXPECT_THROW(vr::convert_serum_preset(blob, limits, markers), vr::format_error);
    auto envelope = read_bytes(fixtures() / "files/wiillownet/serum_2.1.4_default_state.IComponent.xferjson.bin");
    try {
        vr::convert_serum_preset(envelope, limits, markers);
        FAIL() << "no throw";
    } catch (const vr::format_error& e) {
        EXPECT_NE(std::string(e.what()).find("\"processor\" state already"), std::string::npos) << e.what();
    }
}

TEST(SerumState, StoresEachStateOnceByContent) {
    fs::path dir = fs::temp_directory_path() / ("serum-store-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    const std::string preset = (fixtures() / "files/wiillownet/test_preset.SerumPreset").string();
    std::string path = vr::store_serum_state(preset, dir.string(), limits, markers);
    auto expected = vr::convert_serum_preset(read_bytes(preset), limits, markers).blob;
    EXPECT_EQ(fs::path(path).filename().string(), vr::sha256_hex(expected) + ".vst3state");
    EXPECT_EQ(read_bytes(path), expected);
    auto written = fs::last_write_time(path);
    EXPECT_EQ(vr::store_serum_state(preset, dir.string(), limits, markers), path);
    EXPECT_EQ(fs::last_write_time(path), written);  // reused, not rewritten
    {
        std::ofstream damage(path, std::ios::binary | std::ios::trunc);
        damage << std::string(expected.size(), 'x');
    }
    EXPECT_EQ(vr::store_serum_state(preset, dir.string(), limits, markers), path);
    EXPECT_EQ(read_bytes(path), expected);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++files;
    EXPECT_EQ(files, 1u);
    try {
        vr::store_serum_state((fixtures() / "INDEX.tsv").string(), dir.string(), limits, markers);
        FAIL() << "no throw";
    } catch (const vr::record_error& e) {
        EXPECT_NE(std::string(e.what()).find("INDEX.tsv: not an Xfer Serum 2 file"), std::string::npos) << e.what();
    }
    fs::remove_all(dir);
}

vr::cbor_value map_of(std::initializer_list<std::pair<const char*, vr::cbor_value>> l) {
    vr::cbor_value m = vr::cbor_value::empty_map();
    for (const auto& [k, v] : l) m.entries.emplace_back(k, v);
    return m;
}

TEST(SerumRewrite, AppliesRulesOneToFour) {
    auto text = [](const char* s) { return vr::cbor_value::string(s); };
    vr::cbor_value list;
    list.type = vr::cbor_value::kind::array;
    list.items.push_back(map_of({{"plainParams", text("default")}}));
    vr::cbor_value preset = map_of({
        {"presetName", text("x")},
        {"SerumGUI", map_of({})},
        {"Osc", map_of({})},
        {"Unknown", map_of({{"name", text("kept")}, {"plainParams", text("default")}})},
        {"Macro3", map_of({{"name", text("drop")}, {"plainParams", map_of({})}})},
        {"Macro3x", map_of({{"name", text("kept")}})},
        {"Macro", map_of({{"name", text("kept")}})},
        {"FXRack12", map_of({{"displayName", text("drop")}, {"FX", list}})},
        {"MidiClip0", map_of({{"laneTabs", list}, {"gridWidth_Beats", vr::cbor_value::float32(1)},
                              {"name", text("drop")}, {"clip", map_of({})}})},
        {"PitchQuantizer0", map_of({{"scaleName", text("drop")}, {"scale", list}})},
        {"Arp0", map_of({{"plainParams", map_of({})}})},
        {"Arp1", map_of({{"activeClip", vr::cbor_value::unsigned_int(3)}})},
        {"ArpClip0", map_of({{"plainParams", text("default")}})},
        {"productVersion", text("2.0.11")},
        {"version", vr::cbor_value::float64(7.0)},
    });
    vr::rewrite_preset_to_processor(preset, {"2.2.0", 11.5});
    vr::json j = vr::cbor_to_json(preset);
    EXPECT_EQ(j.dump(),
              R"({"Arp0":{"activeClip":0,"plainParams":{}},"Arp1":{"activeClip":3},)"
              R"("ArpClip0":{"plainParams":{}},"FXRack12":{"FX":[{"plainParams":{}}]},)"
              R"("Macro":{"name":"kept"},"Macro3":{"plainParams":{}},"Macro3x":{"name":"kept"},)"
              R"("MidiClip0":{"clip":{}},"PitchQuantizer0":{"scale":[{"plainParams":{}}]},)"
              R"("Unknown":{"name":"kept","plainParams":{}},"component":"processor",)"
              R"("killEnvsGracefullyCompat":true,"productVersion":"2.2.0","version":11.5})");
    EXPECT_EQ(preset.find("version")->width, 4);
    EXPECT_TRUE(vr::cbor_keys_sorted(preset));
}

TEST(SerumRewrite, SortsKeysByteWise) {
    vr::cbor_value m = map_of({{"b", vr::cbor_value::unsigned_int(1)},
                               {"\xc3\xa9", vr::cbor_value::unsigned_int(2)},
                               {"B", vr::cbor_value::unsigned_int(3)},
                               {"a10", vr::cbor_value::unsigned_int(4)},
                               {"a2", vr::cbor_value::unsigned_int(5)}});
    vr::sort_cbor_keys(m);
    std::string order;
    for (const auto& [k, v] : m.entries) order += k + ",";
    EXPECT_EQ(order, "B,a10,a2,b,\xc3\xa9,");
}

TEST(SerumEnvelope, WritesTheProcessorHeaderAndHash) {
    vr::cbor_value m = map_of({{"a", vr::cbor_value::unsigned_int(1)}});
    auto envelope = vr::make_processor_envelope(m, {"9.9.9", 7.0});
    auto env = vr::parse_xfer_envelope(envelope);
    EXPECT_EQ(env.meta["hash"], vr::md5_hex(env.payload));
    EXPECT_EQ(env.meta["productVersion"], "9.9.9");
    EXPECT_EQ(env.meta["version"], 7.0);
    EXPECT_EQ(env.cbor_size, 4u);
    EXPECT_EQ(env.format_version, 2u);
    EXPECT_EQ(vr::zstd_inflate_exact(env.payload, 4, 0), (byte_vector{0xa1, 0x61, 'a', 0x01}));
}

}  // namespace
