// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for lib/render/preset_cache: presets and their errors read
// once per file, and the cache cleared rather than grown without end.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "audio_test_util.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "presets/fxp.hpp"
#include "render/preset_cache.hpp"

namespace {

std::vector<std::uint8_t> fxp_of(float value) {
    vr::fx_program p;
    p.fx_id = vr::fx_id_from("Abcd");
    p.name = "Lead";
    p.params = {value};
    return vr::write_fxp(p);
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const vr::record_error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(PresetCache, ReadsAFileOnce) {
    vr::test::scratch_dir dir;
    auto path = dir.file("a.fxp");
    vr::write_file_atomic(path, fxp_of(0.25f));
    vr::preset_cache cache;
    auto first = cache.preset(path, std::nullopt);
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

TEST(PresetCache, RemembersAFilesError) {
    vr::test::scratch_dir dir;
    auto path = dir.file("late.fxp");
    vr::preset_cache cache;
    std::string message = error_of([&] { cache.preset(path, std::nullopt); });
    EXPECT_NE(message.find(path), std::string::npos);
    // The file that appears later is not read again: the error stands.
    vr::write_file_atomic(path, fxp_of(0.5f));
    EXPECT_EQ(error_of([&] { cache.preset(path, std::nullopt); }), message);
    // As a state it was never tried.
    auto state = cache.state(path);
    EXPECT_EQ(state->format, "state");
    EXPECT_EQ(state->params, (std::vector<float>{0.5f}));
}

TEST(PresetCache, ClearsItselfOnceFull) {
    vr::test::scratch_dir dir;
    auto path = dir.file("a.fxp");
    vr::write_file_atomic(path, fxp_of(0.25f));
    vr::preset_cache cache;
    auto first = cache.preset(path, std::nullopt);
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
