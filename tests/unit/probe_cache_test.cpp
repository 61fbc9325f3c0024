// SPDX-License-Identifier: GPL-3.0-or-later
// The probe cache (lib/supervise/probe_cache): its key; a verdict kept
// with its reasons, each way the probe tried; a verdict file that is
// corrupt, truncated, of another version (version 1's, kept without
// reasons, among them), unreadable or a link, each ignored and then
// rewritten; many writers at once.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "audio_test_util.hpp"
#include "core/files.hpp"
#include "core/tool.hpp"
#include "supervise/probe_cache.hpp"

namespace {

void put(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::string text_of(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// A scratch folder with a VST2-like plugin file in it, its key and the
// file its verdict goes in.
class ProbeCache : public ::testing::Test {
protected:
    vr::test::scratch_dir dir;
    std::string plugin_path = dir.file("synth.so");
    vr::plugin_ref plugin;
    vr::json key;
    std::string file;
    // As worker_slot::verdict() makes one: the verdict, then the steps the
    // probe took to it.
    const vr::json verdict{{"isolation", "fork"},
                           {"fork_same", false},
                           {"own_threads", false},
                           {"warm_up", nullptr},
                           {"steps",
                            {{{"way", "reset"},
                              {"same", false},
                              {"first_frame", 4410},
                              {"first_channel", 1},
                              {"largest_difference", 0.25},
                              {"explained", "different from frame 4410, channel 1; largest difference 0.25"}},
                             {{"way", "fork"}, {"same", true}, {"explained", "same"}}}}};

    void SetUp() override {
        put(plugin_path, "not really code, but bytes to hash");
        plugin.location = plugin_path;
        plugin.format = vr::plugin_format::vst2;
        key = *vr::probe_cache_key(plugin, 44100, 512, 2, false, false);
        file = vr::probe_cache_file(dir.file("cache"), key);
    }
    // The file is ignored as it is, then rewritten with the verdict.
    void expect_ignored_then_rewritten() {
        EXPECT_FALSE(vr::read_probe_verdict(file, key));
        EXPECT_TRUE(vr::write_probe_verdict(file, key, verdict));
        auto again = vr::read_probe_verdict(file, key);
        ASSERT_TRUE(again);
        EXPECT_EQ(*again, verdict);
    }
};

TEST_F(ProbeCache, TheKeyHoldsEverySettingTheVerdictDependsOn) {
    EXPECT_EQ(*vr::probe_cache_key(plugin, 44100, 512, 2, false, false), key);
    for (const auto& other : {vr::probe_cache_key(plugin, 48000, 512, 2, false, false),
                              vr::probe_cache_key(plugin, 44100, 256, 2, false, false),
                              vr::probe_cache_key(plugin, 44100, 512, 1, false, false),
                              vr::probe_cache_key(plugin, 44100, 512, 2, true, false),
                              vr::probe_cache_key(plugin, 44100, 512, 2, false, true)}) {
        ASSERT_TRUE(other);
        EXPECT_NE(*other, key);
        EXPECT_NE(vr::probe_cache_file(dir.file("cache"), *other), file);
    }
    EXPECT_EQ(key["host"]["version"], std::string(vr::version()));
    EXPECT_EQ(key["home"], std::getenv("HOME") ? std::getenv("HOME") : "");
    // A Windows plugin: kept with what its prefix, wine and Windows worker
    // are (the tool's wine::verdict_identity), not without.
    vr::plugin_ref windows = plugin;
    windows.windows = true;
    EXPECT_FALSE(vr::probe_cache_key(windows, 44100, 512, 2, false, false));
    const vr::json there{{"prefix", "/p"}, {"windows_worker", "w 1"}};
    const auto windows_key = vr::probe_cache_key(windows, 44100, 512, 2, false, false, there);
    ASSERT_TRUE(windows_key);
    EXPECT_EQ((*windows_key)["windows"], there);
    const auto elsewhere = vr::probe_cache_key(windows, 44100, 512, 2, false, false, vr::json{{"prefix", "/q"}});
    ASSERT_TRUE(elsewhere);
    EXPECT_NE(*elsewhere, *windows_key);
    EXPECT_FALSE(key.contains("windows"));
    // Not kept: Faust code, a plugin that is not there.
    vr::plugin_ref missing = plugin;
    missing.location = dir.file("gone.so");
    EXPECT_FALSE(vr::probe_cache_key(missing, 44100, 512, 2, false, false));
}

TEST_F(ProbeCache, APluginUpdatedInPlaceGetsANewKey) {
    ASSERT_TRUE(vr::write_probe_verdict(file, key, verdict));
    // The same size, other bytes, written over the same file (same inode).
    put(plugin_path, "not really code, but BYTES to hash");
    auto updated = vr::probe_cache_key(plugin, 44100, 512, 2, false, false);
    ASSERT_TRUE(updated);
    EXPECT_NE(*updated, key);
    EXPECT_FALSE(vr::read_probe_verdict(vr::probe_cache_file(dir.file("cache"), *updated), *updated));
    // A verdict under the old key is not taken for the new one, even in its file.
    EXPECT_FALSE(vr::read_probe_verdict(file, *updated));
}

TEST_F(ProbeCache, AVerdictWrittenIsReadBackForItsKeyOnly) {
    EXPECT_FALSE(vr::read_probe_verdict(file, key));  // none yet
    ASSERT_TRUE(vr::write_probe_verdict(file, key, verdict));
    EXPECT_EQ(*vr::read_probe_verdict(file, key), verdict);
    vr::json other = key;
    other["sample_rate"] = 96000;
    EXPECT_FALSE(vr::read_probe_verdict(file, other));
    // Written atomically: no temporary is left beside it.
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir.file("cache"))) names.push_back(e.path().string());
    EXPECT_EQ(names, std::vector<std::string>{file});
}

TEST_F(ProbeCache, AVerdictKeepsItsReasonsEachWayTriedAsWritten) {
    ASSERT_TRUE(vr::write_probe_verdict(file, key, verdict));
    const auto kept = vr::read_probe_verdict(file, key);
    ASSERT_TRUE(kept);
    const vr::json& steps = kept->at("steps");
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(steps[0]["way"], "reset");
    EXPECT_EQ(steps[0]["same"], false);
    EXPECT_EQ(steps[0]["first_frame"], 4410);
    EXPECT_EQ(steps[0]["first_channel"], 1);
    EXPECT_EQ(steps[0]["largest_difference"], 0.25);
    EXPECT_EQ(steps[1], (vr::json{{"way", "fork"}, {"same", true}, {"explained", "same"}}));
    // A way stopped by an error keeps it; the file is the verdict as it was.
    vr::json failed = verdict;
    failed["steps"][1] = {{"way", "fork"}, {"same", false}, {"error", "the forked child did not render"},
                          {"explained", "failed: the forked child did not render"}};
    ASSERT_TRUE(vr::write_probe_verdict(file, key, failed));
    EXPECT_EQ(*vr::read_probe_verdict(file, key), failed);
    EXPECT_EQ(vr::json::parse(text_of(file))["verdict"]["steps"][1]["error"], "the forked child did not render");
}

TEST_F(ProbeCache, AVersion1EntryKeptWithoutReasonsIsNotUsedAndIsRewritten) {
    // Version 2 is the one that keeps the steps: a version 1 entry, as one
    // was written (its key exactly this one), is not taken.
    ASSERT_EQ(vr::probe_cache_version, 2);
    vr::json old_verdict = verdict;
    old_verdict.erase("steps");
    std::filesystem::create_directories(dir.file("cache"));
    put(file, vr::json{{"version", 1}, {"key", key}, {"verdict", old_verdict}}.dump() + "\n");
    EXPECT_FALSE(vr::read_probe_verdict(file, key));
    // Through the supervisor's view too, which then keeps the new verdict
    // over it.
    ::setenv("XDG_CACHE_HOME", dir.file("xdg-old").c_str(), 1);
    const std::string kept_file = vr::probe_cache_file(dir.file("xdg-old") + "/vst-render", key);
    std::filesystem::create_directories(dir.file("xdg-old") + "/vst-render");
    put(kept_file, text_of(file));
    vr::probe_cache cache(true);
    EXPECT_FALSE(cache.find(key));
    cache.store(key, verdict);
    const vr::json entry = vr::json::parse(text_of(kept_file));
    EXPECT_EQ(entry["version"], 2);
    EXPECT_EQ(entry["verdict"], verdict);
    EXPECT_EQ(*vr::probe_cache(true).find(key), verdict);
    ::unsetenv("XDG_CACHE_HOME");
}

TEST_F(ProbeCache, ACorruptFileIsIgnoredAndRewritten) {
    std::filesystem::create_directories(dir.file("cache"));
    put(file, "{\"version\":1,\"key\":[not json");
    expect_ignored_then_rewritten();
}

TEST_F(ProbeCache, ATruncatedFileIsIgnoredAndRewritten) {
    ASSERT_TRUE(vr::write_probe_verdict(file, key, verdict));
    const std::string whole = text_of(file);
    put(file, whole.substr(0, whole.size() / 2));
    expect_ignored_then_rewritten();
    put(file, "");
    expect_ignored_then_rewritten();
}

TEST_F(ProbeCache, AFileOfAnotherVersionIsIgnoredAndRewritten) {
    std::filesystem::create_directories(dir.file("cache"));
    put(file, vr::json{{"version", vr::probe_cache_version + 1}, {"key", key}, {"verdict", verdict}}.dump());
    expect_ignored_then_rewritten();
    put(file, vr::json{{"key", key}, {"verdict", verdict}}.dump());  // no version at all
    expect_ignored_then_rewritten();
    put(file, vr::json::array({1, 2}).dump());  // not an object
    expect_ignored_then_rewritten();
}

TEST_F(ProbeCache, AnUnreadableFileIsIgnoredAndRewrittenNeverWaitedOn) {
    std::filesystem::create_directories(dir.file("cache"));
    // A FIFO: opening it to read would wait for a writer forever.
    ASSERT_EQ(::mkfifo(file.c_str(), 0644), 0);
    expect_ignored_then_rewritten();
    // No permission to read (root reads it anyway: then it is garbage).
    put(file, "garbage");
    ::chmod(file.c_str(), 0);
    expect_ignored_then_rewritten();
}

TEST_F(ProbeCache, ALinkIsNeverFollowedAndIsReplacedNotItsTarget) {
    // A link to a valid verdict file elsewhere: not read through.
    const std::string elsewhere = dir.file("elsewhere.json");
    ASSERT_TRUE(vr::write_probe_verdict(elsewhere, key, verdict));
    const std::string target_text = text_of(elsewhere);
    std::filesystem::create_directories(dir.file("cache"));
    std::filesystem::create_symlink(elsewhere, file);
    expect_ignored_then_rewritten();
    EXPECT_FALSE(std::filesystem::is_symlink(file));
    EXPECT_EQ(text_of(elsewhere), target_text);
}

TEST_F(ProbeCache, ManyWritersAtOnceLeaveOneWholeFile) {
    std::vector<pid_t> children;
    for (int c = 0; c < 4; ++c) {
        pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            bool ok = true;
            for (int i = 0; i < 50; ++i) {
                ok = vr::write_probe_verdict(file, key, verdict) && ok;
                // Whatever a reader finds meanwhile is none (not yet) or the whole verdict.
                auto seen = vr::read_probe_verdict(file, key);
                ok = (!seen || *seen == verdict) && ok;
            }
            ::_exit(ok ? 0 : 1);
        }
        children.push_back(pid);
    }
    for (pid_t pid : children) {
        int status = 0;
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    EXPECT_EQ(*vr::read_probe_verdict(file, key), verdict);
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.file("cache"))) ++entries;
    EXPECT_EQ(entries, 1u);
}

TEST_F(ProbeCache, OffItNeitherReadsNorWrites) {
    ::setenv("XDG_CACHE_HOME", dir.file("xdg").c_str(), 1);
    vr::probe_cache off(false);
    EXPECT_FALSE(off.enabled());
    off.store(key, verdict);
    EXPECT_FALSE(off.find(key));
    EXPECT_FALSE(std::filesystem::exists(dir.file("xdg")));
    vr::probe_cache on(true);
    EXPECT_TRUE(on.enabled());
    EXPECT_FALSE(on.find(key));
    on.store(key, verdict);
    EXPECT_TRUE(std::filesystem::exists(vr::probe_cache_file(dir.file("xdg") + "/vst-render", key)));
    vr::probe_cache next(true);
    EXPECT_EQ(*next.find(key), verdict);
    ::unsetenv("XDG_CACHE_HOME");
}

TEST_F(ProbeCache, APluginsNeedOfADisplayIsKeptInItsBinarysEntryBesideItsHash) {
    ::setenv("XDG_CACHE_HOME", dir.file("xdg-display").c_str(), 1);
    vr::probe_cache off(false);
    off.store_needs_display(plugin);
    EXPECT_FALSE(off.needs_display(plugin));
    EXPECT_FALSE(std::filesystem::exists(dir.file("xdg-display")));
    vr::probe_cache on(true);
    EXPECT_FALSE(on.needs_display(plugin));
    on.store_needs_display(plugin);
    EXPECT_TRUE(on.needs_display(plugin));
    // Beside the hash, which a later process still takes unread: the key
    // (binary_sha256) is the same as hashing gives.
    const auto again = vr::probe_cache_key(plugin, 44100, 512, 2, false, false);
    ASSERT_TRUE(again);
    EXPECT_EQ((*again)["binary_sha256"], key["binary_sha256"]);
    std::size_t said = 0;
    for (const auto& f : std::filesystem::directory_iterator(dir.file("xdg-display") + "/vst-render")) {
        const std::string text = text_of(f.path().string());
        if (text.find("\"needs_display\":true") != std::string::npos) {
            ++said;
            EXPECT_NE(text.find("\"sha256\":\"" + key["binary_sha256"].get<std::string>()), std::string::npos) << text;
            EXPECT_EQ(f.path().filename().string().rfind("binary-", 0), 0u) << f.path();
        }
    }
    EXPECT_EQ(said, 1u);
    // A binary changed in place is a new entry, which says nothing yet.
    put(plugin_path, "not really code, but bytes to hash, longer");
    vr::probe_cache later(true);
    EXPECT_FALSE(later.needs_display(plugin));
    ::unsetenv("XDG_CACHE_HOME");
}

}  // namespace
