// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for lib/wine's session parts: wine found, a worker's
// environment, whether a prefix will be updated, quiet runs, and the one
// Xvfb of a process.
#include <gtest/gtest.h>

#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "core/process.hpp"
#include "supervise/display.hpp"
#include "wine/wine_session.hpp"
#include "wine_fixture.hpp"

namespace {

using vr::wine::run_quiet;

// Sets an environment variable for one test and puts the old value back.
class scoped_env {
public:
    scoped_env(const char* name, const char* value) : name_(name) {
        if (const char* old = ::getenv(name)) old_ = old;
        value ? ::setenv(name, value, 1) : ::unsetenv(name);
    }
    ~scoped_env() { old_ ? ::setenv(name_, old_->c_str(), 1) : ::unsetenv(name_); }

private:
    const char* name_;
    std::optional<std::string> old_;
};

std::size_t count_named(const std::vector<std::string>& env, const std::string& name) {
    return static_cast<std::size_t>(
        std::count_if(env.begin(), env.end(), [&](const std::string& e) { return e.rfind(name + "=", 0) == 0; }));
}

std::string value_of(const std::vector<std::string>& env, const std::string& name) {
    for (const auto& e : env)
        if (e.rfind(name + "=", 0) == 0) return e.substr(name.size() + 1);
    return "";
}

// The pid of the X server answering on display ":N" (its Unix socket's
// peer), 0 when none answers.
pid_t x_server_pid(const std::string& display) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "/tmp/.X11-unix/X%s", display.c_str() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ucred peer{};
    socklen_t size = sizeof peer;
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
              ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &size) == 0;
    ::close(fd);
    return ok ? peer.pid : 0;
}

bool x_answers(const std::string& display) { return x_server_pid(display) > 0; }

TEST(WineSession, FindWineGivesItsCommandsAndVersionOnce) {
    const auto wine = vr::wine::find_wine();
    ASSERT_TRUE(wine) << "wine is not installed here (apt-get install wine wine64, or make deps)";
    EXPECT_EQ(wine->version.rfind("wine-", 0), 0u) << wine->version;
    EXPECT_EQ(wine->version.find('\n'), std::string::npos);
    EXPECT_EQ(wine->wine.front(), '/');
    EXPECT_EQ(wine->wineserver.front(), '/');
    EXPECT_FALSE(wine->wine_inf.empty()) << "wine.inf not found beside " << wine->wine;
    EXPECT_EQ(vr::wine::find_wine()->version, wine->version);
}

TEST(WineSession, AWorkerGetsOurEnvironmentPlusWines) {
    scoped_env mine("VR_WINE_TEST", "kept");
    scoped_env debug("WINEDEBUG", "+relay");
    scoped_env overrides("WINEDLLOVERRIDES", "mscoree=d");
    scoped_env prefix("WINEPREFIX", "/somewhere/else");
    auto env = vr::wine::worker_environment("relative/prefix");
    EXPECT_EQ(value_of(env, "VR_WINE_TEST"), "kept");
    EXPECT_EQ(value_of(env, "WINEPREFIX"), std::filesystem::current_path().string() + "/relative/prefix");
    EXPECT_EQ(value_of(env, "WINEDEBUG"), "-all");
    EXPECT_EQ(value_of(env, "WINEDLLOVERRIDES"), "mscoree=d;winedbg.exe=d");
    for (const char* name : {"WINEPREFIX", "WINEDEBUG", "WINEDLLOVERRIDES"}) EXPECT_EQ(count_named(env, name), 1u);
    auto envp = vr::wine::as_envp(env);
    ASSERT_EQ(envp.size(), env.size() + 1);
    EXPECT_EQ(envp.back(), nullptr);
    EXPECT_STREQ(envp[0], env[0].c_str());
}

TEST(WineSession, WithoutOverridesOfTheUsersOnlyTheDebuggerIsOff) {
    scoped_env overrides("WINEDLLOVERRIDES", nullptr);
    EXPECT_EQ(value_of(vr::wine::worker_environment("/p"), "WINEDLLOVERRIDES"), "winedbg.exe=d");
}

TEST(WineSession, APrefixNeedsAnUpdateWhenItsTimestampIsNotWineInfs) {
    VR_SCRATCH_PREFIX(prefix);
    const std::string stamp = prefix + "/.update-timestamp";
    std::stringstream original;
    original << std::ifstream(stamp).rdbuf();
    EXPECT_FALSE(vr::wine::prefix_needs_update(prefix)) << "a prefix wineboot just made";
    std::ofstream(stamp) << "1234\n";
    EXPECT_TRUE(vr::wine::prefix_needs_update(prefix)) << "a prefix another wine made";
    std::ofstream(stamp) << "disable\n";
    EXPECT_FALSE(vr::wine::prefix_needs_update(prefix));
    std::filesystem::remove(stamp);
    EXPECT_TRUE(vr::wine::prefix_needs_update(prefix));
    std::ofstream(stamp) << original.str();
    EXPECT_FALSE(vr::wine::prefix_needs_update(prefix));
}

TEST(WineSession, AQuietRunGivesOnlyItsStdoutAndNoneOfOurDescriptors) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);  // not close-on-exec: must not reach the child all the same
    auto r = run_quiet({"/bin/sh", "-c", "echo out; echo err >&2; ls /proc/self/fd; exit 3"}, {"PATH=/usr/bin:/bin"},
                       10, true);
    ::close(fds[0]);
    ::close(fds[1]);
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_FALSE(r.timed_out);
    // ls's own descriptor for /proc/self/fd is the 3.
    EXPECT_EQ(r.out, "out\n0\n1\n2\n3\n");
    auto quiet = run_quiet({"/bin/sh", "-c", "echo out"}, {}, 10);
    EXPECT_EQ(quiet.exit_code, 0);
    EXPECT_EQ(quiet.out, "");
}

TEST(WineSession, AQuietRunIsKilledAtItsTimeLimit) {
    auto r = run_quiet({"/bin/sleep", "10"}, {}, 0.2);
    EXPECT_TRUE(r.timed_out);
    EXPECT_EQ(r.exit_code, -1);
    EXPECT_THROW(run_quiet({"/nonexistent/command"}, {}, 1), vr::record_error);
}

TEST(WineSession, TheUsersDisplayIsUsedAsItIs) {
    scoped_env display("DISPLAY", ":57");
    EXPECT_EQ(vr::virtual_display("a Windows plugin needs a window"), ":57");
    EXPECT_EQ(vr::started_display(), "");
    EXPECT_EQ(value_of(vr::wine::worker_environment("/p"), "DISPLAY"), ":57");
}

TEST(WineSession, OneXvfbWithoutADisplayStoppedWhenAsked) {
    scoped_env display("DISPLAY", nullptr);
    struct stop_at_end {
        ~stop_at_end() { vr::stop_display(); }  // also after a failed assertion
    } stop;
    std::string d;
    ASSERT_NO_THROW(d = vr::virtual_display("a Windows plugin needs a window")) << "is xvfb installed? (apt-get install xvfb)";
    ASSERT_EQ(d.rfind(':', 0), 0u) << d;
    EXPECT_TRUE(x_answers(d));
    EXPECT_EQ(vr::virtual_display("a Windows plugin needs a window"), d) << "a second Xvfb";
    EXPECT_EQ(vr::started_display(), d);
    EXPECT_EQ(value_of(vr::wine::worker_environment("/p"), "DISPLAY"), d);
    vr::stop_display();
    EXPECT_FALSE(x_answers(d));
    EXPECT_EQ(vr::started_display(), "");
    // Started again on the next need, once only.
    d = vr::virtual_display("a Windows plugin needs a window");
    EXPECT_TRUE(x_answers(d));
    EXPECT_EQ(vr::virtual_display("a Windows plugin needs a window"), d);
    // Killed by someone else (its pid from its socket's peer): replaced.
    const pid_t xvfb = x_server_pid(d);
    ASSERT_GT(xvfb, 0);
    ::kill(xvfb, SIGKILL);
    // Until it has ended (its socket may stop answering a moment before the
    // process is gone, and only an ended one is replaced).
    ASSERT_TRUE(vr::wait_child_ended(xvfb, 10)) << "Xvfb outlived SIGKILL";
    d = vr::virtual_display("a Windows plugin needs a window");
    EXPECT_TRUE(x_answers(d));
    vr::stop_display();
    EXPECT_FALSE(x_answers(d));
    EXPECT_EQ(vr::started_display(), "");
}

TEST(WineSession, TheXvfbEndsWhenItsProcessExits) {
    scoped_env display("DISPLAY", nullptr);
    int up[2];
    ASSERT_EQ(::pipe(up), 0);
    std::fflush(nullptr);
    pid_t child = ::fork();
    if (child == 0) {
        ::close(up[0]);
        std::string d;
        try {
            d = vr::virtual_display("a Windows plugin needs a window");
        } catch (...) {
        }
        (void)!::write(up[1], d.data(), d.size());
        ::close(up[1]);
        std::exit(0);  // exit, not _exit: the exit handler is what is tested
    }
    ::close(up[1]);
    char buf[32] = {};
    ssize_t n = ::read(up[0], buf, sizeof buf - 1);
    ::close(up[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_GT(n, 0) << "no Xvfb started (apt-get install xvfb)";
    const std::string d(buf, static_cast<std::size_t>(n));
    EXPECT_FALSE(x_answers(d)) << "the Xvfb of a process that has exited still answers on " << d;
}

}  // namespace
