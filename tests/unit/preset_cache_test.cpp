// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for lib/jobs/preset_cache: presets and their errors read
// once per file, and the cache cleared rather than grown without end.
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
