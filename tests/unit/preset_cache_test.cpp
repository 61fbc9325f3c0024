// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for lib/jobs/preset_cache: presets, states and SysEx files
// and their errors read once per file (a file read each way an entry of
// its own), and the cache cleared rather than grown without end.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audio_test_util.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "fixtures.hpp"
#include "jobs/preset_cache.hpp"
#include "presets/fxp.hpp"

namespace {

std::vector<std::uint8_t> fxp_of(float value) {
    vr::fx_program p;
    p.fx_id = vr::fx_id_from("Abcd");
    p.name = "Lead";
    p.params = {value};
    return vr::write_fxp(p);
}

using vr_test::error_message;

// A scratch folder with a.fxp in it (one parameter at 0.25), and a cache
// that has read it once: `first`.
class PresetCache : public ::testing::Test {
protected:
    vr::test::scratch_dir dir;
    std::string path = dir.file("a.fxp");
    vr::preset_cache cache;
    std::shared_ptr<const vr::loaded_preset> first;

    void SetUp() override {
        vr::write_file_atomic(path, fxp_of(0.25f));
        first = cache.preset(path, std::nullopt);
    }
};

TEST_F(PresetCache, ReadsAFileOnce) {
    EXPECT_EQ(first->params, (std::vector<float>{0.25f}));
    // Changed on disk: the cache still gives what it read.
    vr::write_file_atomic(path, fxp_of(0.75f));
    EXPECT_EQ(cache.preset(path, std::nullopt), first);
    // Another program of the file, or the file as a state: entries of their own.
    auto program = cache.preset(path, 1);
    EXPECT_NE(program, first);
    EXPECT_EQ(program->params, (std::vector<float>{0.75f}));
    auto state = cache.state(path);
    EXPECT_EQ(state->format, "state");
    EXPECT_NE(state, first);
    EXPECT_EQ(cache.state(path), state);
}

TEST_F(PresetCache, RemembersAFilesError) {
    auto late = dir.file("late.fxp");
    std::string message = error_message<vr::record_error>([&] { cache.preset(late, std::nullopt); });
    EXPECT_NE(message.find(late), std::string::npos);
    // The file that appears later is not read again: the error stands.
    vr::write_file_atomic(late, fxp_of(0.5f));
    EXPECT_EQ(error_message<vr::record_error>([&] { cache.preset(late, std::nullopt); }), message);
    // As a state it was never tried.
    auto state = cache.state(late);
    EXPECT_EQ(state->format, "state");
    EXPECT_EQ(state->params, (std::vector<float>{0.5f}));
}

TEST_F(PresetCache, ASysexFileIsReadOnceAndApartFromItsState) {
    const std::vector<std::uint8_t> two = {0xF0, 0x7E, 0x7F, 0x06, 0x01, 0xF7, 0xF0, 0x41, 0x10, 0xF7};
    const auto syx = dir.file("a.syx");
    vr::write_file_atomic(syx, two);
    auto sysex = cache.sysex(syx);
    EXPECT_EQ(sysex->format, "sysex");
    ASSERT_EQ(sysex->messages.size(), 2u);
    EXPECT_EQ(sysex->messages[1], (std::vector<std::uint8_t>{0xF0, 0x41, 0x10, 0xF7}));
    // Changed on disk: the cache still gives what it read.
    vr::write_file_atomic(syx, std::vector<std::uint8_t>{0xF0, 0x01, 0xF7});
    EXPECT_EQ(cache.sysex(syx), sysex);
    // The same path as a state: an entry of its own, which reads the file anew.
    auto state = cache.state(syx);
    EXPECT_NE(state, sysex);
    EXPECT_EQ(state->format, "state");
    EXPECT_EQ(state->bytes, (std::vector<std::uint8_t>{0xF0, 0x01, 0xF7}));
    EXPECT_EQ(cache.state(syx), state);
    EXPECT_EQ(cache.sysex(syx), sysex);
    // The file a preset's entry read is not a SysEx file: its error is the sysex entry's alone.
    EXPECT_EQ(error_message<vr::record_error>([&] { cache.sysex(path); }),
              "sysex " + path + ": byte 0: 43 where a SysEx message (F0) should start: not a .syx file");
    EXPECT_EQ(cache.preset(path, std::nullopt), first);
}

TEST_F(PresetCache, RemembersASysexFilesError) {
    const auto syx = dir.file("cut.syx");
    vr::write_file_atomic(syx, std::vector<std::uint8_t>{0xF0, 0x01, 0x02});
    const std::string message = error_message<vr::record_error>([&] { cache.sysex(syx); });
    EXPECT_EQ(message, "sysex " + syx + ": byte 0: the SysEx message starting there has no F7: the file is cut short "
                                        "after 3 bytes");
    // Mended on disk: the error stands for the sysex entry...
    vr::write_file_atomic(syx, std::vector<std::uint8_t>{0xF0, 0x01, 0x02, 0xF7});
    EXPECT_EQ(error_message<vr::record_error>([&] { cache.sysex(syx); }), message);
    // ...while the state entry, never tried, reads the mended file.
    EXPECT_EQ(cache.state(syx)->bytes, (std::vector<std::uint8_t>{0xF0, 0x01, 0x02, 0xF7}));
}

TEST_F(PresetCache, ClearsItselfOnceFull) {
    vr::write_file_atomic(path, fxp_of(0.75f));
    // Full with the first file and as many errors as fit beside it...
    for (std::size_t i = 1; i < vr::preset_cache::max_entries; ++i)
        EXPECT_THROW(cache.preset(dir.file("missing" + std::to_string(i)), std::nullopt), vr::record_error);
    EXPECT_EQ(cache.preset(path, std::nullopt), first);
    // ...one more entry empties it first: the file is read anew.
    EXPECT_THROW(cache.preset(dir.file("one more"), std::nullopt), vr::record_error);
    EXPECT_EQ(cache.preset(path, std::nullopt)->params, (std::vector<float>{0.75f}));
}

}  // namespace
