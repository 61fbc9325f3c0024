// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for lib/plugins/wine_prefix: which prefix a plugin loads in,
// Windows paths of Linux ones, a prefix's plugin folders; on prefixes made
// of folders in a temporary one (a system.reg is what makes a prefix).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "audio_test_util.hpp"
#include "fixtures.hpp"
#include "plugins/wine_prefix.hpp"

namespace {

namespace fs = std::filesystem;
using vr::choose_wine_prefix;
using vr::wine_env;

fs::path make_prefix(const fs::path& dir, const std::string& arch = "win64") {
    fs::create_directories(dir / "drive_c/Program Files/Common Files/VST3");
    std::ofstream(dir / "system.reg") << "WINE REGISTRY Version 2\n;; All keys relative to REGISTRY\\\\Machine\n\n#arch="
                                      << arch << "\n";
    return dir;
}

std::string refusal(const std::string& plugin, const std::string& given, const wine_env& env) {
    return vr_test::error_message<vr::record_error>([&] { choose_wine_prefix(plugin, given, env); });
}

TEST(WinePrefix, GivenThenOwnThenWineprefixThenHome) {
    vr::test::scratch_dir dir;
    fs::path root = dir.path();
    fs::path a = make_prefix(root / "a"), b = make_prefix(root / "b"), home = root / "home";
    make_prefix(home / ".wine");
    std::string outside = (root / "plugins/Synth.dll").string();
    std::string inside = (a / "drive_c/Program Files/Common Files/VST3/Synth.vst3").string();

    EXPECT_EQ(choose_wine_prefix(outside, b.string(), {a.string(), home.string()}), b.string());
    EXPECT_EQ(choose_wine_prefix(outside, "", {a.string(), home.string()}), a.string());
    EXPECT_EQ(choose_wine_prefix(outside, "", {"", home.string()}), (home / ".wine").string());
    // The plugin's own prefix outranks WINEPREFIX and HOME, not a prefix given.
    EXPECT_EQ(choose_wine_prefix(inside, "", {b.string(), home.string()}), a.string());
    EXPECT_EQ(choose_wine_prefix(inside, a.string() + "/", {b.string(), home.string()}), a.string());
    EXPECT_EQ(refusal(inside, b.string(), {}), "the plugin " + inside + " lies in the wine prefix " + a.string() +
                                                   ", but the wine prefix given is " + b.string() + ": give " +
                                                   a.string() + " or none");
    EXPECT_EQ(refusal(outside, "", {}), "no wine prefix: neither WINEPREFIX nor HOME is set (give --wine-prefix DIR)");
}

TEST(WinePrefix, MissingAndThirtyTwoBitPrefixesFail) {
    vr::test::scratch_dir dir;
    fs::path root = dir.path();
    std::string plugin = (root / "Synth.dll").string();
    std::string none = (root / "none").string();
    EXPECT_EQ(refusal(plugin, none, {}), "no wine prefix at " + none + ": make one with WINEPREFIX=" + none + " wineboot");
    EXPECT_EQ(refusal(plugin, "", {"", root.string()}),
              "no wine prefix at " + (root / ".wine").string() + ": make one with WINEPREFIX=" + (root / ".wine").string() +
                  " wineboot");
    fs::create_directories(root / "empty");
    EXPECT_EQ(refusal(plugin, "", {(root / "empty").string(), ""}),
              "no wine prefix at " + (root / "empty").string() + ": make one with WINEPREFIX=" +
                  (root / "empty").string() + " wineboot");
    fs::path old = make_prefix(root / "old", "win32");
    EXPECT_EQ(refusal(plugin, old.string(), {}),
              "the wine prefix " + old.string() + " is a 32-bit one (#arch=win32 in its system.reg): 64-bit plugins "
              "need a prefix made with WINEARCH=win64");
    EXPECT_NO_THROW(vr::check_wine_prefix(make_prefix(root / "new").string()));
}

TEST(WinePrefix, PathsAreComparedResolved) {
    vr::test::scratch_dir dir;
    fs::path root = dir.path();
    fs::path a = make_prefix(root / "real");
    fs::create_directory_symlink(a, root / "link");
    std::string through_link = (root / "link/drive_c/Program Files/VSTPlugins/Synth.dll").string();
    EXPECT_EQ(vr::prefix_holding(through_link), a.string());
    EXPECT_EQ(choose_wine_prefix(through_link, (root / "link").string(), {}), a.string());
    EXPECT_EQ(choose_wine_prefix(through_link, (root / "real/drive_c/..").string(), {}), a.string());

    // A relative path is made absolute against the working folder.
    fs::path was = fs::current_path();
    fs::current_path(root);
    EXPECT_EQ(choose_wine_prefix("real/drive_c/x.dll", "", {}), a.string());
    EXPECT_EQ(choose_wine_prefix("elsewhere/x.dll", "link", {}), a.string());
    fs::current_path(was);
}

TEST(WinePrefix, TheNearestDriveCWithASystemRegIsThePrefix) {
    vr::test::scratch_dir dir;
    fs::path root = dir.path();
    fs::create_directories(root / "notaprefix/drive_c/plugins");
    EXPECT_EQ(vr::prefix_holding((root / "notaprefix/drive_c/plugins/x.dll").string()), "");
    fs::path outer = make_prefix(root / "outer");
    fs::path inner = make_prefix(outer / "drive_c/users/u/inner");
    EXPECT_EQ(vr::prefix_holding((inner / "drive_c/x.dll").string()), inner.string());
    EXPECT_EQ(vr::prefix_holding((outer / "drive_c/users/u/inner/x.dll").string()), outer.string());
    EXPECT_EQ(vr::prefix_holding((outer / "system.reg").string()), "");
    EXPECT_EQ(vr::prefix_holding("/"), "");
    EXPECT_EQ(vr::prefix_holding(""), "");
}

TEST(WinePrefix, WindowsPathsByTheDrivesOfThePrefix) {
    vr::test::scratch_dir dir;
    fs::path root = dir.path();
    fs::path prefix = make_prefix(root / "prefix");
    // No dosdevices folder: wine's defaults, C: for drive_c and Z: for /.
    EXPECT_EQ(vr::windows_path((prefix / "drive_c/Program Files/Common Files/VST3/X.vst3").string(), prefix.string()),
              "C:\\Program Files\\Common Files\\VST3\\X.vst3");
    EXPECT_EQ(vr::windows_path((prefix / "drive_c").string(), prefix.string()), "C:\\");
    EXPECT_EQ(vr::windows_path("/usr/lib/x.dll", prefix.string()), "Z:\\usr\\lib\\x.dll");
    EXPECT_EQ(vr::windows_path("/", prefix.string()), "Z:\\");

    // Its own links, as wineboot makes them, and one more: the nearest wins.
    fs::create_directories(prefix / "dosdevices");
    fs::create_directories(root / "data/plugins");
    fs::create_directory_symlink("../drive_c", prefix / "dosdevices/c:");
    fs::create_directory_symlink("/", prefix / "dosdevices/z:");
    fs::create_directory_symlink(root / "data", prefix / "dosdevices/d:");
    fs::create_symlink("/dev/ttyS0", prefix / "dosdevices/com1");
    EXPECT_EQ(vr::windows_path((root / "data/plugins/Synth.dll").string(), prefix.string()), "D:\\plugins\\Synth.dll");
    EXPECT_EQ(vr::windows_path((prefix / "drive_c/windows").string(), prefix.string()), "C:\\windows");
    EXPECT_EQ(vr::windows_path("/usr/lib/x.dll", prefix.string()), "Z:\\usr\\lib\\x.dll");
    // Through a symlink of ours into drive_c: the drive that reaches its target.
    fs::create_directory_symlink(prefix / "drive_c/Program Files", root / "pf");
    EXPECT_EQ(vr::windows_path((root / "pf/VSTPlugins/a.dll").string(), prefix.string()), "C:\\Program Files\\VSTPlugins\\a.dll");

    fs::remove(prefix / "dosdevices/z:");
    EXPECT_EQ(vr_test::error_message<vr::record_error>([&] { vr::windows_path("/usr/lib/x.dll", prefix.string()); }),
              "no drive of the wine prefix " + prefix.string() +
                  " reaches /usr/lib/x.dll (its dosdevices folder links none of the folders above it)");
    EXPECT_EQ(vr_test::error_message<vr::record_error>(
                  [&] { vr::windows_path((root / "data/a\\b.dll").string(), prefix.string()); }),
              (root / "data/a\\b.dll").string() + ": the name 'a\\b.dll' holds a backslash, which Windows cannot name");
    EXPECT_EQ(vr_test::error_message<vr::record_error>(
                  [&] { vr::windows_path((root / "data/\xff.dll").string(), prefix.string()); }),
              (root / "data/\xff.dll").string() + ": a name in it is not valid UTF-8");
}

TEST(WinePrefix, StandardPluginFolders) {
    EXPECT_EQ(vr::wine_plugin_folders("/home/u/.wine"),
              (std::vector<std::string>{"/home/u/.wine/drive_c/Program Files/Common Files/VST3",
                                        "/home/u/.wine/drive_c/Program Files/VSTPlugins",
                                        "/home/u/.wine/drive_c/Program Files/Steinberg/VstPlugins",
                                        "/home/u/.wine/drive_c/Program Files/Common Files/VST2"}));
}

}  // namespace
