// SPDX-License-Identifier: GPL-3.0-or-later
// What a failed audio write leaves behind: nothing new, and the old file as
// it was. The failures are real: an unwritable folder, a file-size limit, a
// full tmpfs (each in a forked child, so that the limits and mounts die
// with it).
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <functional>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audio/file.hpp"
#include "audio_test_util.hpp"
#include "core/error.hpp"
#include "core/files.hpp"

namespace {

using vr::sample_format;
using namespace vr::test;

constexpr int child_skip = 77;

// Runs fn in a forked child; returns its exit code, or 128 + the signal.
int in_child(const std::function<int()>& fn) {
    std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int rc = 99;
        try {
            rc = fn();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "child: unexpected exception: %s\n", e.what());
        }
        std::fflush(nullptr);
        ::_exit(rc);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// In a child: 0 when writing throws record_error saying `expected`, else 1
// (no error) or 2 (another message, printed).
int write_fails_with(const std::string& path, const vr::audio_buffer& audio, sample_format fmt,
                     const std::string& expected) {
    try {
        vr::write_audio_file(path, audio, fmt);
    } catch (const vr::record_error& e) {
        std::string msg = e.what();
        if (msg.find(path) != std::string::npos && msg.find(expected) != std::string::npos)
            return 0;
        std::fprintf(stderr, "child: wrong message: %s\n", e.what());
        return 2;
    }
    std::fprintf(stderr, "child: %s was written\n", path.c_str());
    return 1;
}

void put_text(const std::string& path, const std::string& text) {
    vr::write_file_atomic(
        path, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

std::string text_of(const std::string& path) {
    auto b = bytes_of(path);
    return std::string(b.begin(), b.end());
}

TEST(AudioWriteFailure, FolderThatIsAFile) {
    scratch_dir dir;
    put_text(dir.file("plain"), "x");
    auto audio = test_signal(2, 48000, 100);
    EXPECT_THROW(vr::write_audio_file(dir.file("plain/sub/a.wav"), audio, sample_format::pcm16),
                 vr::record_error);
    EXPECT_THROW(vr::write_audio_file(dir.file("plain/a.wav"), audio, sample_format::pcm16),
                 vr::record_error);
    EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"plain"});
    // A folder where the file should go: the temporary is cleaned up.
    std::filesystem::create_directory(dir.file("taken.wav"));
    EXPECT_THROW(vr::write_audio_file(dir.file("taken.wav"), audio, sample_format::pcm16),
                 vr::record_error);
    EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"plain", "taken.wav"}));
}

TEST(AudioWriteFailure, ReadOnlyFolderKeepsTheOldFile) {
    scratch_dir dir;
    std::string ro = dir.file("ro");
    std::filesystem::create_directory(ro);
    put_text(ro + "/a.flac", "old");
    std::filesystem::permissions(ro, std::filesystem::perms(0555));
    auto audio = test_signal(2, 48000, 1000);
    int rc = in_child([&] {
        // root writes anywhere: be nobody for this.
        if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) return child_skip;
        return write_fails_with(ro + "/a.flac", audio, sample_format::pcm16, "Permission denied");
    });
    if (rc == child_skip) GTEST_SKIP() << "cannot drop root privileges";
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(names_in(ro), std::vector<std::string>{"a.flac"});
    EXPECT_EQ(text_of(ro + "/a.flac"), "old");
}

TEST(AudioWriteFailure, FileSizeLimitKeepsTheOldFile) {
    scratch_dir dir;
    put_text(dir.file("big.wav"), "old");
    auto audio = test_signal(2, 48000, 48000);  // 384 kB as float32
    int rc = in_child([&] {
        std::signal(SIGXFSZ, SIG_IGN);  // a write past the limit then fails with EFBIG
        rlimit lim{64 * 1024, 64 * 1024};
        if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) return child_skip;
        return write_fails_with(dir.file("big.wav"), audio, sample_format::float32,
                                "File too large");
    });
    ASSERT_NE(rc, child_skip);
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"big.wav"});
    EXPECT_EQ(text_of(dir.file("big.wav")), "old");
}

// A tmpfs of 64 kB mounted in the child's own mount namespace: it fills up
// for real (ENOSPC) and disappears with the child. Skipped where mounting is
// not allowed.
TEST(AudioWriteFailure, FullDiskLeavesNothing) {
    scratch_dir dir;
    std::string mnt = dir.file("mnt");
    std::filesystem::create_directory(mnt);
    auto small = test_signal(1, 48000, 4000);  // 8 kB as pcm16
    auto large = test_signal(2, 48000, 48000);
    int rc = in_child([&] {
        if (::unshare(CLONE_NEWNS) != 0) return child_skip;
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return child_skip;
        if (::mount("vr-test", mnt.c_str(), "tmpfs", 0, "size=64k") != 0) return child_skip;
        vr::write_audio_file(mnt + "/fits.wav", small, sample_format::pcm16);
        for (const char* name : {"full.flac", "full.wav", "sub/full.npy"}) {
            auto fmt =
                std::string(name).ends_with(".npy") ? sample_format::float32 : sample_format::pcm24;
            if (int r = write_fails_with(mnt + "/" + name, large, fmt, "No space left on device"))
                return r;
        }
        // Only what fitted, and the folder the last write made, are there.
        if (names_in(mnt) != std::vector<std::string>{"fits.wav", "sub"}) return 3;
        if (!names_in(mnt + "/sub").empty()) return 4;
        if (vr::read_audio_file(mnt + "/fits.wav").samples.size() != small.samples.size()) return 5;
        return 0;
    });
    if (rc == child_skip) GTEST_SKIP() << "cannot mount a tmpfs here";
    EXPECT_EQ(rc, 0);
}

}  // namespace
