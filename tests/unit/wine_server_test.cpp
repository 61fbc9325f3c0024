// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for lib/wine/prefix_server: a real wineserver in a scratch
// prefix, kept up while any holder lives and stopped by the last one when a
// holder started it, whatever order processes come and go in. Whether a
// server runs is asked of its lock (server_pid) and, to check that, of
// `wineserver -k0`, which signals the lock's owner with signal 0.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "wine/prefix_server.hpp"
#include "wine/wine_session.hpp"
#include "wine_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using vr::wine::prefix_server;
using vr::wine::server_pid;

[[maybe_unused]] auto* const cleanup = ::testing::AddGlobalTestEnvironment(new vr_test::remove_wine_scratch);

// Runs `wineserver ARG` for prefix by hand; its exit status.
int wineserver(const std::string& prefix, const std::string& arg) {
    auto env = vr::wine::worker_environment(prefix);
    return vr::wine::run_quiet({vr::wine::find_wine()->wineserver, arg}, env, 30).exit_code;
}

// Whether wine itself finds a server for prefix: -k0 sends signal 0 to the
// owner of the server's lock, exit 0 when there is one.
bool wine_sees_server(const std::string& prefix) { return wineserver(prefix, "-k0") == 0; }

// A prefix_server held by a forked child between the parent's signals: it
// is made at once, and destroyed on release(); kill() ends the child
// outright instead, as kill -9 would a render-one.
class holder {
public:
    explicit holder(const std::string& prefix) {
        int down[2], up[2];
        if (::pipe(down) != 0 || ::pipe(up) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::close(down[1]);
            ::close(up[0]);
            char c = 'e';
            try {
                prefix_server server(prefix);
                c = server.started_server() ? 's' : 'c';
                (void)!::write(up[1], &c, 1);
                (void)!::read(down[0], &c, 1);
            } catch (...) {
                (void)!::write(up[1], &c, 1);
                ::_exit(1);
            }
            c = 'd';
            (void)!::write(up[1], &c, 1);
            ::_exit(0);
        }
        ::close(down[0]);
        ::close(up[1]);
        to_ = down[1];
        from_ = up[0];
        (void)!::read(from_, &state_, 1);
    }
    ~holder() {
        if (pid_ > 0) release();
        ::close(to_);
        ::close(from_);
    }
    // 's' it started the server, 'c' it found one, 'e' it failed.
    char state() const { return state_; }
    // Destroys the child's prefix_server and waits until the child is gone.
    void release() {
        char c = 'r';
        (void)!::write(to_, &c, 1);
        (void)!::read(from_, &c, 1);
        ::waitpid(pid_, nullptr, 0);
        pid_ = 0;
    }
    void kill() {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = 0;
    }

private:
    pid_t pid_ = -1;
    int to_ = -1, from_ = -1;
    char state_ = 0;
};

TEST(WineServer, StartsAServerAndTheLastToLeaveStopsIt) {
    VR_SCRATCH_PREFIX(prefix);
    ASSERT_EQ(server_pid(prefix), 0) << "a server already runs for the scratch prefix";
    EXPECT_FALSE(wine_sees_server(prefix));
    {
        prefix_server server(prefix);
        EXPECT_TRUE(server.started_server());
        EXPECT_GT(server_pid(prefix), 0);
        EXPECT_TRUE(wine_sees_server(prefix));
    }
    EXPECT_EQ(server_pid(prefix), 0);
    EXPECT_FALSE(wine_sees_server(prefix));
}

TEST(WineServer, ASessionNotedForAServerIsKnownToLaterHoldersAndNotToTheNextServer) {
    VR_SCRATCH_PREFIX(prefix);
    {
        prefix_server first(prefix);
        ASSERT_TRUE(first.started_server());
        EXPECT_FALSE(first.session_noted());
        first.note_session();
        EXPECT_TRUE(first.session_noted());
        // Another holder (another render-one) of the same server sees it.
        prefix_server second(prefix);
        EXPECT_FALSE(second.started_server());
        EXPECT_TRUE(second.session_noted());
    }
    // Both gone, the server with them: the next server has no session yet.
    EXPECT_EQ(server_pid(prefix), 0);
    prefix_server next(prefix);
    EXPECT_TRUE(next.started_server());
    EXPECT_FALSE(next.session_noted());
}

TEST(WineServer, SharedBetweenProcessesUntilTheLastLeavesInEitherOrder) {
    VR_SCRATCH_PREFIX(prefix);
    {
        auto first = std::make_unique<prefix_server>(prefix);
        EXPECT_TRUE(first->started_server());
        const pid_t pid = server_pid(prefix);
        holder second(prefix);
        EXPECT_EQ(second.state(), 'c');
        first.reset();  // the starter leaves first: the server stays for the other
        EXPECT_EQ(server_pid(prefix), pid);
        second.release();
        EXPECT_EQ(server_pid(prefix), 0);
    }
    {
        holder first(prefix);
        EXPECT_EQ(first.state(), 's');
        const pid_t pid = server_pid(prefix);
        EXPECT_GT(pid, 0);
        prefix_server second(prefix);
        EXPECT_FALSE(second.started_server());
        first.release();
        EXPECT_EQ(server_pid(prefix), pid);
        second.close();
        EXPECT_EQ(server_pid(prefix), 0);
        EXPECT_FALSE(wine_sees_server(prefix));
    }
}

TEST(WineServer, AServerThatRanBeforeAnyHolderIsNeverStopped) {
    VR_SCRATCH_PREFIX(prefix);
    ASSERT_EQ(wineserver(prefix, "-p"), 0);
    const pid_t pid = server_pid(prefix);
    ASSERT_GT(pid, 0);
    {
        prefix_server a(prefix);
        EXPECT_FALSE(a.started_server());
        holder b(prefix);
        EXPECT_EQ(b.state(), 'c');
        b.release();
    }
    EXPECT_EQ(server_pid(prefix), pid);
    EXPECT_EQ(wineserver(prefix, "-k"), 0);
    EXPECT_EQ(wineserver(prefix, "-w"), 0);
    EXPECT_EQ(server_pid(prefix), 0);
}

TEST(WineServer, AHolderKilledOutrightLeavesItsServerToTheLastOneAfterIt) {
    VR_SCRATCH_PREFIX(prefix);
    holder killed(prefix);
    ASSERT_EQ(killed.state(), 's');
    killed.kill();
    EXPECT_GT(server_pid(prefix), 0) << "a persistent server outlives the render-one that started it";
    {
        prefix_server later(prefix);
        EXPECT_FALSE(later.started_server());
    }
    EXPECT_EQ(server_pid(prefix), 0);
}

TEST(WineServer, AStaleRecordIsNotTakenForTheServerRunningNow) {
    VR_SCRATCH_PREFIX(prefix);
    const fs::path locks = fs::path(vr_test::scratch_prefix().root) / "locks";
    fs::create_directory(locks);
    fs::permissions(locks, fs::perms::owner_all);
    struct stat st {};
    ASSERT_EQ(::stat(prefix.c_str(), &st), 0);
    char key[64];
    std::snprintf(key, sizeof key, "%llx-%llx", static_cast<unsigned long long>(st.st_dev),
                  static_cast<unsigned long long>(st.st_ino));
    // What a render-one killed before its server was stopped by hand leaves.
    std::ofstream(locks / (std::string(key) + ".state")) << "999999\n";
    ASSERT_EQ(wineserver(prefix, "-p"), 0);
    const pid_t pid = server_pid(prefix);
    { prefix_server a(prefix, locks.string()); }
    EXPECT_EQ(server_pid(prefix), pid);
    EXPECT_EQ(wineserver(prefix, "-k"), 0);
    EXPECT_EQ(wineserver(prefix, "-w"), 0);
    EXPECT_EQ(server_pid(prefix), 0);
}

TEST(WineServer, EnsureRunningStartsAgainAServerStoppedMeanwhile) {
    VR_SCRATCH_PREFIX(prefix);
    prefix_server server(prefix);
    ASSERT_GT(server_pid(prefix), 0);
    EXPECT_EQ(wineserver(prefix, "-k"), 0);
    EXPECT_EQ(server_pid(prefix), 0);
    server.ensure_running();
    EXPECT_GT(server_pid(prefix), 0);
    server.close();
    EXPECT_EQ(server_pid(prefix), 0);
}

// Two processes come and go at random moments; whenever one holds the
// prefix, a server runs, and none is left when both are done.
TEST(WineServer, RacingHoldersAlwaysHaveAServerAndLeaveNone) {
    VR_SCRATCH_PREFIX(prefix);
    pid_t children[2];
    for (int c = 0; c < 2; ++c) {
        children[c] = ::fork();
        if (children[c] == 0) {
            std::mt19937 random(static_cast<unsigned>(::getpid()));
            int code = 0;
            for (int round = 0; round < 4 && code == 0; ++round) {
                try {
                    prefix_server server(prefix);
                    if (server_pid(prefix) <= 0) code = 2;
                    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 40));
                    if (server_pid(prefix) <= 0) code = 3;
                } catch (...) {
                    code = 4;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(random() % 40));
            }
            ::_exit(code);
        }
    }
    for (pid_t child : children) {
        int status = 0;
        ::waitpid(child, &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
            << "a holder saw no server (2, 3) or failed (4): status " << status;
    }
    EXPECT_EQ(server_pid(prefix), 0);
    EXPECT_FALSE(wine_sees_server(prefix));
}

// What render-one does when a signal ends it: no destructor runs, but
// close_all_prefix_servers leaves for every open one, moved ones included.
TEST(WineServer, CloseAllLeavesAsTheDestructorsWould) {
    VR_SCRATCH_PREFIX(prefix);
    std::fflush(nullptr);
    pid_t child = ::fork();
    if (child == 0) {
        int code = 0;
        try {
            prefix_server first(prefix);
            prefix_server moved(std::move(first));
            if (!moved.started_server() || server_pid(prefix) <= 0) code = 2;
            vr::wine::close_all_prefix_servers();
            if (server_pid(prefix) != 0) code = 3;
        } catch (...) {
            code = 4;
        }
        ::_exit(code);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
    EXPECT_EQ(server_pid(prefix), 0);
}

// A forked worker closes every descriptor it inherited, opens its own at
// the numbers that frees, and then forgets the prefix_server it inherited:
// forgetting closes nothing, so its own files stay open, and the parent
// keeps its hold (and its server).
TEST(WineServer, AForkedChildForgetsWithoutClosingTheNumbersItReused) {
    VR_SCRATCH_PREFIX(prefix);
    prefix_server server(prefix);
    ASSERT_GT(server_pid(prefix), 0);
    std::fflush(nullptr);
    pid_t child = ::fork();
    if (child == 0) {
        for (int fd = 3; fd < 1024; ++fd) ::close(fd);
        std::vector<int> own;
        for (int i = 0; i < 64; ++i) own.push_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        server.forget();
        int code = 0;
        for (int fd : own)
            if (fd < 0 || ::fcntl(fd, F_GETFD) == -1) code = 2;
        ::_exit(code);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
    EXPECT_GT(server_pid(prefix), 0) << "the parent's server went with the child";
}

TEST(WineServer, AWorkerRunsInThePrefixWithItsEnvironment) {
    VR_SCRATCH_PREFIX(prefix);
    prefix_server server(prefix);
    auto env = vr::wine::worker_environment(prefix);
    auto r = vr::wine::run_quiet({vr::wine::find_wine()->wine, "cmd", "/c", "echo", "hello"}, env, 60, true);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "hello\r\n");
}

TEST(WineServer, RefusesWhatIsNotAPrefixOfOurs) {
    const fs::path dir = fs::temp_directory_path() / ("vr-wine-not-" + std::to_string(::getpid()));
    fs::create_directories(dir / "empty");
    for (const fs::path& p : {dir / "missing", dir / "empty"}) {
        try {
            prefix_server server(p.string(), (dir / "locks").string());
            ADD_FAILURE() << p << " was taken for a prefix";
        } catch (const vr::record_error& e) {
            EXPECT_EQ(std::string(e.what()),
                      "no wine prefix at " + p.string() + ": make one with WINEPREFIX=" + p.string() + " wineboot");
        }
    }
    fs::remove_all(dir);
}

TEST(WineServer, RefusesAnUnsafeLockFolder) {
    VR_SCRATCH_PREFIX(prefix);
    const fs::path dir = fs::path(vr_test::scratch_prefix().root) / "unsafe";
    fs::create_directories(dir / "open");
    fs::permissions(dir / "open", fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read |
                                      fs::perms::group_exec | fs::perms::others_exec);
    fs::create_directory_symlink(dir / "open", dir / "link");
    for (const char* name : {"open", "link"}) {
        try {
            prefix_server server(prefix, (dir / name).string());
            ADD_FAILURE() << name << " was taken for a lock folder";
        } catch (const vr::record_error& e) {
            EXPECT_NE(std::string(e.what()).find("unsafe lock folder"), std::string::npos) << e.what();
        }
    }
    EXPECT_EQ(server_pid(prefix), 0);
}

}  // namespace
