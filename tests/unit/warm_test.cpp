// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for lib/warm/warm: the folder a warm render-one's socket
// lives in, the key, and a session run through serve_warm and run_warm
// (its arguments, the caller's descriptors, its exit code or signal).
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <string>
#include <thread>

#include "core/error.hpp"
#include "warm/warm.hpp"
#include "warm/warm_serve.hpp"

namespace fs = std::filesystem;

namespace {

struct temp_dir {
    fs::path path;
    temp_dir() {
        char t[] = "/tmp/vr-warm-test.XXXXXX";
        path = ::mkdtemp(t);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

// Sets an environment variable for the test's scope.
struct scoped_env {
    std::string name;
    std::optional<std::string> old;
    scoped_env(const char* n, const std::string& value) : name(n) {
        if (const char* v = std::getenv(n)) old = v;
        ::setenv(n, value.c_str(), 1);
    }
    ~scoped_env() {
        if (old)
            ::setenv(name.c_str(), old->c_str(), 1);
        else
            ::unsetenv(name.c_str());
    }
};

// Set by prepare in a session made ahead: what its session says.
std::string g_prepared = "forked for its caller";

// A warm process serving sessions that write their arguments to their
// standard output and exit 7, or die of SIGTERM when the first is "term",
// or (made ahead) hold until the file named after "hold" is there;
// with made_ahead, sessions made ahead, each writing its pid to a file
// ahead-PID there and answering "made ahead PID" for the first argument
// "who".
struct server {
    pid_t pid = -1;
    std::string socket;
    explicit server(const std::string& s, const std::string& made_ahead = "") : socket(s) {
        pid = ::fork();
        if (pid == 0) {
            vr::warm_sessions how;
            how.run = [made_ahead](int argc, char** argv) {
                if (argc > 1 && std::strcmp(argv[1], "term") == 0) ::raise(SIGTERM);
                if (argc > 2 && std::strcmp(argv[1], "hold") == 0) {
                    // Says it holds (held-PID), then waits for the file argv[2].
                    std::ofstream(made_ahead + "/held-" + std::to_string(::getpid())) << "";
                    while (!fs::exists(argv[2])) std::this_thread::sleep_for(std::chrono::milliseconds(2));
                    return 7;
                }
                std::string out;
                for (int i = 1; i < argc; ++i) out += std::string(i > 1 ? " " : "") + argv[i];
                if (argc > 1 && std::strcmp(argv[1], "who") == 0) out = g_prepared;
                (void)::write(1, out.data(), out.size());
                return 7;
            };
            if (!made_ahead.empty())
                how.prepare = [made_ahead] {
                    g_prepared = "made ahead " + std::to_string(::getpid());
                    std::ofstream(made_ahead + "/ahead-" + std::to_string(::getpid())) << "";
                };
            const int code = vr::serve_warm(socket, 60, how);
            ::_exit(code);
        }
        // Up once its socket is there.
        for (int i = 0; i < 2000 && !fs::exists(socket); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ~server() {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
};

// run_warm with this process's standard output on a pipe: what the
// session wrote there, and how it ended.
std::pair<std::optional<vr::warm_ending>, std::string> run_captured(const std::string& socket,
                                                                    std::vector<std::string> args) {
    int p[2];
    EXPECT_EQ(::pipe(p), 0);
    const int saved = ::dup(1);
    ::dup2(p[1], 1);
    ::close(p[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::optional<vr::warm_ending> end = vr::run_warm(socket, static_cast<int>(args.size()), argv.data());
    ::dup2(saved, 1);
    ::close(saved);
    std::string got;
    char buf[256];
    for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
    ::close(p[0]);
    return {end, got};
}

}  // namespace

TEST(Warm, TheFolderIsThisUsersAloneAndMadeWhenMissing) {
    temp_dir t;
    scoped_env runtime("XDG_RUNTIME_DIR", t.path.string());
    const std::string dir = vr::warm_folder();
    EXPECT_EQ(dir, (t.path / "vst-render").string());
    struct stat st {};
    ASSERT_EQ(::lstat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u);
    ::chmod(dir.c_str(), 0755);
    try {
        vr::warm_folder();
        FAIL() << "a folder open to others was taken";
    } catch (const vr::record_error& e) {
        EXPECT_NE(std::string(e.what()).find("is open to other users (mode 0755)"), std::string::npos) << e.what();
    }
    fs::remove(dir);
    fs::create_directory_symlink(t.path, dir);
    EXPECT_THROW(vr::warm_folder(), vr::record_error);
}

TEST(Warm, TheKeyFollowsTheEnvironmentButWhereTheCallerStandsAndMakesOwn) {
    const std::string k = vr::warm_key("plugin");
    EXPECT_EQ(k.size(), 32u);
    EXPECT_EQ(vr::warm_key("plugin"), k);
    EXPECT_NE(vr::warm_key("other plugin"), k);
    {
        scoped_env pwd("PWD", "/somewhere/else"), level("SHLVL", "7"), make("MAKEFLAGS", "-j2 --jobserver-auth=3,4");
        EXPECT_EQ(vr::warm_key("plugin"), k);
    }
    scoped_env home("VR_WARM_TEST_VARIABLE", "1");
    EXPECT_NE(vr::warm_key("plugin"), k);
}

TEST(Warm, ASessionRunsTheArgumentsWithTheCallersDescriptorsAndEndsAsTheyDid) {
    temp_dir t;
    const std::string socket = (t.path / "w.sock").string();
    EXPECT_FALSE(run_captured(socket, {"render-one", "a"}).first) << "answered with no warm process up";
    server s(socket);
    ASSERT_TRUE(fs::exists(socket));
    auto [end, out] = run_captured(socket, {"render-one", "a", "b c"});
    ASSERT_TRUE(end);
    EXPECT_EQ(end->code, 7);
    EXPECT_EQ(end->signal, 0);
    EXPECT_EQ(out, "a b c");
    auto [term, nothing] = run_captured(socket, {"render-one", "term"});
    ASSERT_TRUE(term);
    EXPECT_EQ(term->signal, SIGTERM);
    EXPECT_EQ(nothing, "");
    // A message that is not a caller's is dropped; the next caller is served.
    int c = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strcpy(a.sun_path, socket.c_str());
    ASSERT_EQ(::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    (void)::write(c, "junk", 4);
    char byte;
    EXPECT_EQ(::read(c, &byte, 1), 0);
    ::close(c);
    EXPECT_EQ(run_captured(socket, {"render-one", "again"}).second, "again");
}

TEST(Warm, AWarmProcessWithNoSessionEndsAfterItsIdleTimeAndTakesItsSocket) {
    temp_dir t;
    const std::string socket = (t.path / "w.sock").string();
    vr::warm_sessions how;
    how.run = [](int, char**) { return 0; };
    EXPECT_EQ(vr::serve_warm(socket, 0, how), 0);
    EXPECT_FALSE(fs::exists(socket));
    // Only one process holds a key's lock.
    vr::warm_lock first((t.path / "w.lock").string());
    EXPECT_TRUE(first.held());
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(vr::warm_lock((t.path / "w.lock").string()).held() ? 1 : 0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a second process took the lock";
}

// The mask of a "SigIgn:" or "SigBlk:" line of /proc/PID/status text.
unsigned long long status_mask(const std::string& status, const std::string& field) {
    const auto at = status.find("\n" + field + ":");
    return at == std::string::npos ? ~0ULL : std::stoull(status.substr(at + field.size() + 2), nullptr, 16);
}

TEST(Warm, ADetachedProcessStartsWithEverySignalAtItsDefaultWhateverItsStarterIgnoredOrBlocked) {
    // As in a make started in the background (SIGINT and SIGQUIT ignored)
    // under nohup (SIGHUP), with SIGTERM blocked besides.
    struct sigaction ignore {}, old[4] {};
    ignore.sa_handler = SIG_IGN;
    const int ignored[] = {SIGINT, SIGQUIT, SIGHUP, SIGTERM};
    for (int i = 0; i < 4; ++i) ::sigaction(ignored[i], &ignore, &old[i]);
    sigset_t term, old_mask;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &term, &old_mask);
    temp_dir t;
    const std::string seen = (t.path / "status").string();
    vr::spawn_detached({"/bin/sh", "-c", "cat /proc/self/status > \"$1.tmp\" && mv \"$1.tmp\" \"$1\"", "sh", seen});
    ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    for (int i = 0; i < 4; ++i) ::sigaction(ignored[i], &old[i], nullptr);
    for (int i = 0; i < 2000 && !fs::exists(seen); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::ifstream in(seen);
    const std::string status((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(status.empty()) << "the detached command never wrote " << seen;
    for (int sig : ignored) {
        EXPECT_EQ(status_mask(status, "SigIgn") & (1ULL << (sig - 1)), 0u) << "signal " << sig << " is ignored";
        EXPECT_EQ(status_mask(status, "SigBlk") & (1ULL << (sig - 1)), 0u) << "signal " << sig << " is blocked";
    }
}

// The sessions made ahead (or, with "held-", those that hold a caller):
// their files, once n of them are there.
std::vector<std::string> aheads(const fs::path& dir, std::size_t n, const std::string& kind = "ahead-") {
    std::vector<std::string> found;
    for (int i = 0; i < 2000; ++i) {
        found.clear();
        for (const auto& e : fs::directory_iterator(dir))
            if (e.path().filename().string().starts_with(kind)) found.push_back(e.path().filename().string());
        if (found.size() >= n) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::sort(found.begin(), found.end());
    return found;
}

TEST(Warm, SessionsMadeAheadServeCallerAfterCallerAndAreMadeAgainTillOneDiesUnused) {
    temp_dir t;
    const std::string socket = (t.path / "w.sock").string();
    server s(socket, t.path.string());
    // Two wait; a caller gets one, in the process that prepared...
    ASSERT_EQ(aheads(t.path, 2).size(), 2u);
    auto [end, who] = run_captured(socket, {"render-one", "who"});
    ASSERT_TRUE(end);
    EXPECT_EQ(end->code, 7);
    ASSERT_TRUE(who.starts_with("made ahead ")) << who;
    // ...which, its run over, serves the next callers too (the last to
    // serve goes first), prepared again for each.
    for (int i = 0; i < 3; ++i) EXPECT_EQ(run_captured(socket, {"render-one", "who"}).second, who);
    EXPECT_EQ(aheads(t.path, 0).size(), 2u);
    // Arguments and descriptors reach a session made ahead as they reach one forked.
    EXPECT_EQ(run_captured(socket, {"render-one", "a", "b c"}).second, "a b c");
    // One whose run a signal ended is gone, and another is made.
    auto [term, nothing] = run_captured(socket, {"render-one", "term"});
    ASSERT_TRUE(term);
    EXPECT_EQ(term->signal, SIGTERM);
    std::vector<std::string> made = aheads(t.path, 3);
    ASSERT_EQ(made.size(), 3u);
    const std::string first = "ahead-" + who.substr(std::strlen("made ahead "));
    EXPECT_NE(std::find(made.begin(), made.end(), first), made.end()) << first;
    std::vector<pid_t> living;
    for (int i = 0; i < 2000 && (i == 0 || living.size() != 2); ++i) {
        if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        living.clear();
        for (const auto& f : made)
            if (::kill(std::stoi(f.substr(6)), 0) == 0) living.push_back(std::stoi(f.substr(6)));
    }
    ASSERT_EQ(living.size(), 2u);
    // One that dies unused: none is made ahead again. The one still
    // waiting serves on; once it is gone too, each caller is served by a
    // session forked for it.
    ::kill(living[0], SIGKILL);
    // Gone once the warm process has seen it die (and reaped it).
    for (int i = 0; i < 2000 && ::kill(living[0], 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(run_captured(socket, {"render-one", "who"}).second, "made ahead " + std::to_string(living[1]));
    EXPECT_EQ(run_captured(socket, {"render-one", "term"}).first->signal, SIGTERM);
    EXPECT_EQ(run_captured(socket, {"render-one", "who"}).second, "forked for its caller");
    EXPECT_EQ(run_captured(socket, {"render-one", "who"}).second, "forked for its caller");
    EXPECT_EQ(aheads(t.path, 0).size(), 3u) << "a session was made ahead after one died unused";
}

TEST(Warm, SessionsThatWillComeBackAreNotMadeAgainWhileTheyRun) {
    temp_dir t;
    const std::string socket = (t.path / "w.sock").string();
    server s(socket, t.path.string());
    ASSERT_EQ(aheads(t.path, 2).size(), 2u);
    // Two callers at once take both sessions made ahead...
    const std::string go = (t.path / "go").string();
    auto hold = [&] {
        std::vector<std::string> args{"render-one", "hold", go};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        return vr::run_warm(socket, static_cast<int>(args.size()), argv.data());
    };
    auto a = std::async(std::launch::async, hold), b = std::async(std::launch::async, hold);
    ASSERT_EQ(aheads(t.path, 2, "held-").size(), 2u);
    std::ofstream(go) << "";
    ASSERT_TRUE(a.get());
    ASSERT_TRUE(b.get());
    // ...and both come back for the next callers: none was made in their
    // place (one made then would be one too many once they are back).
    for (int i = 0; i < 2; ++i) EXPECT_TRUE(run_captured(socket, {"render-one", "who"}).second.starts_with("made ahead "));
    EXPECT_EQ(aheads(t.path, 0).size(), 2u);
}
