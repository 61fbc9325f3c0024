// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for core/beneath: files written below an output root never
// through a symbolic link, with openat2 and with the openat fallback.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/beneath.hpp"
#include "core/error.hpp"
#include "core/files.hpp"

namespace {

namespace fs = std::filesystem;
using bytes = std::vector<std::uint8_t>;

bytes text(const std::string& s) { return bytes(s.begin(), s.end()); }

std::string read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Every name below dir, recursively, links included (not followed), sorted.
std::vector<std::string> tree(const fs::path& dir) {
    std::vector<std::string> out;
    for (auto& e : fs::recursive_directory_iterator(dir)) out.push_back(e.path().lexically_relative(dir).string());
    std::sort(out.begin(), out.end());
    return out;
}

// The message of the record_error f throws ("" when it throws none).
template <typename F>
std::string error_of(F f) {
    try {
        f();
    } catch (const vr::record_error& e) {
        return e.what();
    }
    return "";
}

// Each test runs twice: through openat2, and through the openat fallback
// (as on a kernel before 5.6).
class Beneath : public ::testing::TestWithParam<bool> {
protected:
    void SetUp() override {
        vr::beneath_force_fallback(GetParam());
        static std::atomic<int> n{0};
        base_ = fs::temp_directory_path() / ("vr-beneath-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
        fs::remove_all(base_);
        fs::create_directories(base_ / "outside");
        std::ofstream(base_ / "outside/victim") << "secret";
        root_ = (base_ / "root").string();
    }
    void TearDown() override {
        vr::beneath_force_fallback(false);
        fs::remove_all(base_);
    }
    std::string at(const std::string& rel) const { return root_ + "/" + rel; }
    std::string link_below(const std::string& rel) const {
        return at(rel) + ": a symbolic link inside the output folder; refusing to write below it";
    }
    std::string link_at(const std::string& rel) const {
        return at(rel) + ": a symbolic link inside the output folder; refusing to write through it";
    }
    void outside_untouched() const {
        EXPECT_EQ(tree(base_ / "outside"), std::vector<std::string>{"victim"});
        EXPECT_EQ(read_all(base_ / "outside/victim"), "secret");
    }

    fs::path base_;
    std::string root_;
};

TEST_P(Beneath, CreatesTheRootAndFoldersOnTheWay) {
    vr::beneath out(root_, true);
    out.write_file_atomic(at("a/b/c.bin"), text("abc"));
    EXPECT_EQ(read_all(at("a/b/c.bin")), "abc");
    EXPECT_TRUE(fs::is_directory(at("a/b")));
    EXPECT_EQ(tree(root_), (std::vector<std::string>{"a", "a/b", "a/b/c.bin"}));  // no temporary left
    EXPECT_EQ(out.root(), root_);
}

TEST_P(Beneath, ReplacesAnExistingFileByRenameNotInPlace) {
    fs::create_directories(at("d"));
    std::ofstream(at("d/x.bin")) << "old";
    fs::create_hard_link(at("d/x.bin"), base_ / "outside/hard");  // the old file's other name
    vr::beneath(root_, false).write_file_atomic(at("d/x.bin"), text("new"));
    EXPECT_EQ(read_all(at("d/x.bin")), "new");
    EXPECT_EQ(read_all(base_ / "outside/hard"), "old");  // a new file took the name
    EXPECT_EQ(tree(at("d")), std::vector<std::string>{"x.bin"});
}

TEST_P(Beneath, RefusesAFolderLink) {
    fs::create_directories(root_);
    fs::create_directory_symlink(base_ / "outside", at("sub"));
    vr::beneath out(root_, false);
    EXPECT_EQ(error_of([&] { out.write_file_atomic(at("sub/x.bin"), text("x")); }), link_below("sub"));
    EXPECT_EQ(error_of([&] { out.write_file_atomic(at("sub/new/x.bin"), text("x")); }), link_below("sub"));
    EXPECT_EQ(error_of([&] { out.exists(at("sub/victim")); }), link_below("sub"));
    EXPECT_EQ(error_of([&] { out.folder_of(at("sub/x.bin"), false); }), link_below("sub"));
    outside_untouched();
}

TEST_P(Beneath, RefusesTheFileItselfALinkAndLeavesItsTargetAlone) {
    fs::create_directories(root_);
    fs::create_symlink(base_ / "outside/victim", at("x.bin"));
    vr::beneath out(root_, false);
    EXPECT_EQ(error_of([&] { out.write_file_atomic(at("x.bin"), text("x")); }), link_at("x.bin"));
    EXPECT_EQ(error_of([&] { out.exists(at("x.bin")); }), link_at("x.bin"));
    EXPECT_TRUE(fs::is_symlink(at("x.bin")));
    EXPECT_EQ(tree(root_), std::vector<std::string>{"x.bin"});  // no temporary left
    outside_untouched();
}

TEST_P(Beneath, RefusesADanglingLink) {
    fs::create_directories(root_);
    fs::create_symlink(base_ / "outside/nothing-yet", at("y.bin"));
    fs::create_directory_symlink(base_ / "outside/no-folder", at("f"));
    vr::beneath out(root_, false);
    EXPECT_EQ(error_of([&] { out.write_file_atomic(at("y.bin"), text("y")); }), link_at("y.bin"));
    EXPECT_EQ(error_of([&] { out.write_file_atomic(at("f/y.bin"), text("y")); }), link_below("f"));
    outside_untouched();
}

TEST_P(Beneath, RefusesALinkInADeeperFolder) {
    fs::create_directories(at("a/b"));
    fs::create_directory_symlink("../../../outside", at("a/b/c"));
    vr::beneath out(root_, false);
    EXPECT_EQ(error_of([&] { out.write_file_atomic(at("a/b/c/d/e.bin"), text("e")); }), link_below("a/b/c"));
    outside_untouched();
    // A folder on the way that is a file is named too.
    std::ofstream(at("a/file")) << "f";
    EXPECT_EQ(error_of([&] { out.write_file_atomic(at("a/file/x.bin"), text("x")); }),
              at("a/file") + ": exists and is not a folder");
}

TEST_P(Beneath, TheRootItselfMayBeALink) {
    fs::create_directories(base_ / "real");
    fs::create_directory_symlink(base_ / "real", root_);
    vr::beneath(root_, true).write_file_atomic(at("x.bin"), text("x"));
    EXPECT_EQ(read_all(base_ / "real/x.bin"), "x");
}

TEST_P(Beneath, ExistsAndFolderOfLookWithoutCreating) {
    fs::create_directories(at("a"));
    std::ofstream(at("a/f.bin")) << "f";
    vr::beneath out(root_, false);
    EXPECT_TRUE(out.exists(at("a/f.bin")));
    EXPECT_FALSE(out.exists(at("a/g.bin")));
    EXPECT_FALSE(out.exists(at("b/c/g.bin")));
    EXPECT_FALSE(out.folder_of(at("b/c/g.bin"), false));
    EXPECT_FALSE(fs::exists(at("b")));
    EXPECT_TRUE(out.folder_of(at("b/c/g.bin"), true));
    EXPECT_TRUE(fs::is_directory(at("b/c")));
    EXPECT_FALSE(vr::beneath::open_existing((base_ / "missing").string()));
    EXPECT_TRUE(vr::beneath::open_existing(root_));
}

INSTANTIATE_TEST_SUITE_P(OpenAt2AndFallback, Beneath, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "fallback" : "openat2"; });

TEST(ComponentsBelow, NormalisesAndSplits) {
    EXPECT_EQ(vr::components_below("/r", "/r/a/b.wav"), (std::vector<std::string>{"a", "b.wav"}));
    EXPECT_EQ(vr::components_below("/r/", "/r//a/./b.wav"), (std::vector<std::string>{"a", "b.wav"}));
    EXPECT_EQ(vr::components_below("/x/../r", "/r/b.wav"), std::vector<std::string>{"b.wav"});
    // Relative paths are made absolute against the working folder, both alike.
    EXPECT_EQ(vr::components_below("r", "r/b.wav"), std::vector<std::string>{"b.wav"});
    EXPECT_EQ(vr::components_below("r", vr::absolute_path("r") + "/b.wav"), std::vector<std::string>{"b.wav"});
}

TEST(ComponentsBelow, RefusesDotDotAndPathsOutside) {
    EXPECT_EQ(error_of([] { vr::components_below("/r", "/r/a/../b.wav"); }),
              "/r/a/../b.wav: a '..' component; refused below the output root /r");
    EXPECT_EQ(error_of([] { vr::components_below("/r", "/r/../etc/passwd"); }),
              "/r/../etc/passwd: a '..' component; refused below the output root /r");
    EXPECT_EQ(error_of([] { vr::components_below("/r", "/etc/passwd"); }),
              "/etc/passwd: not below the output root /r");
    EXPECT_EQ(error_of([] { vr::components_below("/r", "/r2/x.wav"); }), "/r2/x.wav: not below the output root /r");
    EXPECT_EQ(error_of([] { vr::components_below("/r", "/r"); }), "/r: not below the output root /r");
    EXPECT_EQ(error_of([] { vr::components_below("/r", "/r/a/"); }), "/r/a/: names a folder, not a file");
    EXPECT_EQ(error_of([] { vr::components_below("/r", "relative/x.wav"); }),
              "relative/x.wav: not below the output root /r");
}

}  // namespace
