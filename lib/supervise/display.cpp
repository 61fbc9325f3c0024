// SPDX-License-Identifier: GPL-3.0-or-later
#include "supervise/display.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "core/error.hpp"
#include "core/handles.hpp"
#include "core/process.hpp"
#include "core/tool.hpp"
#include "supervise/interrupts.hpp"

namespace vr {

namespace {

struct xvfb_state {
    pid_t pid = 0;
    pid_t owner = 0;  // the process that started it: a forked child never stops it
    std::string display;
    bool exit_handler = false;
};

std::mutex g_mutex;
xvfb_state g_xvfb;

std::string xvfb_command() {
    const char* path = std::getenv("PATH");
    std::string dirs = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        std::size_t colon = dirs.find(':', start);
        if (colon == std::string::npos) colon = dirs.size();
        std::string dir = dirs.substr(start, colon - start);
        start = colon + 1;
        if (dir.empty() || dir.front() != '/') continue;
        std::string candidate = dir + "/Xvfb";
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
            return candidate;
    }
    return "";
}

// Stops it: SIGTERM (Xvfb removes its socket and lock file), SIGKILL after
// 5 s, then reaped. Called with g_mutex held.
void stop_locked() {
    if (g_xvfb.pid > 0 && g_xvfb.owner == ::getpid()) {
        ::kill(g_xvfb.pid, SIGTERM);
        if (!wait_child_ended(g_xvfb.pid, 5)) ::kill(g_xvfb.pid, SIGKILL);
        reap_child(g_xvfb.pid);
    }
    g_xvfb.pid = 0;
    g_xvfb.owner = 0;
    g_xvfb.display.clear();
}

void stop_at_exit() {
    std::lock_guard lock(g_mutex);
    stop_locked();
}

// Its one screen: room for a large editor (render-one --screenshots).
constexpr const char* screen = "2560x1600x24";

// The displays our Xvfb may take: never 0 (see virtual_display).
constexpr int first_display = 10, display_tries = 90;

// Reads the display number Xvfb writes to its -displayfd once it is ready.
std::string read_display_number(int fd, double seconds) {
    const deadline until(seconds);
    std::string text;
    char buf[32];
    while (text.find('\n') == std::string::npos && text.size() < 64) {
        int left_ms = static_cast<int>(until.seconds_left() * 1000);
        if (left_ms <= 0) return "";
        pollfd p{fd, POLLIN, 0};
        int ready = ::poll(&p, 1, left_ms);
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return "";
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return "";
        text.append(buf, static_cast<std::size_t>(n));
    }
    text.erase(text.find('\n'));
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return "";
    return text;
}

}  // namespace

std::string virtual_display(const std::string& missing) {
    if (const char* d = std::getenv("DISPLAY"); d && *d) return d;
    return own_virtual_display(missing);
}

std::string own_virtual_display(const std::string& missing) {
    std::lock_guard lock(g_mutex);
    // A forked child of ours uses its parent's Xvfb, which outlives it. One
    // that has died (killed by someone) is replaced.
    if (!g_xvfb.display.empty()) {
        if (g_xvfb.owner != ::getpid() || !child_ended(g_xvfb.pid)) return g_xvfb.display;
        stop_locked();
    }
    const std::string xvfb = xvfb_command();
    if (xvfb.empty())
        throw record_error(missing + " and there is no display: apt-get install xvfb");
    // Never display 0: a Linux JUCE plugin in the same process, or in
    // another run, with DISPLAY unset falls back to ":0.0", and would lose
    // its connection when this Xvfb stops. Numbers from 10 up are tried in
    // turn (Xvfb refuses one that is taken, at once).
    pid_t pid = -1;
    std::string number;
    for (int n = first_display; n < first_display + display_tries && number.empty(); ++n) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0)
            throw record_error(std::string("cannot create a pipe: ") + std::strerror(errno));
        unique_fd number_read(fds[0]), number_write(fds[1]);
        // Made before the fork: the child only makes system calls.
        std::vector<std::string> args = {xvfb, ":" + std::to_string(n), "-displayfd", "3", "-nolisten", "tcp",
                                         "-noreset", "-screen", "0", screen};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        const pid_t parent = ::getpid();
        pid = ::fork();
        if (pid == 0) {
            interrupts::not_a_worker();
            // Its own process group: a terminal's ^C is render-one's to handle
            // (it finishes the job at hand), not a reason for the display to go.
            ::setpgid(0, 0);
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (::getppid() != parent) ::_exit(127);
            int write_fd = number_write.get();
            if (write_fd == 3) {
                ::fcntl(3, F_SETFD, 0);
            } else if (::dup2(write_fd, 3) != 3) {
                ::_exit(127);
            }
            int null = ::open("/dev/null", O_RDWR);
            if (null >= 0) {
                ::dup2(null, 0);
                ::dup2(null, 1);
                ::dup2(null, 2);
            }
            ::close_range(4, ~0U, 0);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        if (pid < 0) throw record_error(std::string("cannot start Xvfb: ") + std::strerror(errno));
        number_write = unique_fd();
        number = read_display_number(number_read.get(), 20);
        if (number.empty()) {
            ::kill(pid, SIGKILL);
            reap_child(pid);
        }
    }
    if (number.empty())
        throw record_error("Xvfb did not start (" + xvfb + " :" + std::to_string(first_display) + " to :" +
                           std::to_string(first_display + display_tries - 1) + ", -displayfd)");
    const pid_t parent = ::getpid();
    g_xvfb.pid = pid;
    g_xvfb.owner = parent;
    g_xvfb.display = ":" + number;
    if (!g_xvfb.exit_handler) {
        std::atexit(stop_at_exit);
        g_xvfb.exit_handler = true;
    }
    return g_xvfb.display;
}

std::string started_display() {
    std::lock_guard lock(g_mutex);
    return g_xvfb.display;
}

pid_t started_display_pid() {
    std::lock_guard lock(g_mutex);
    return g_xvfb.pid;
}

void stop_display() {
    std::lock_guard lock(g_mutex);
    stop_locked();
}

bool may_want_display(const std::string& signal) {
    const char* d = std::getenv("DISPLAY");
    return signal != "SIGKILL" && !(d && *d);
}

void use_display(const std::string& display) {
    if (display != own_display) {
        ::setenv("DISPLAY", display.c_str(), 1);
        return;
    }
    if (const char* d = std::getenv("DISPLAY"); d && *d) return;  // started here before
    const std::string started = virtual_display("the plugin needs a display");
    warn("Xvfb " + started + " (pid " + std::to_string(started_display_pid()) +
         ") started in the sandbox for the plugins that need a display");
    ::setenv("DISPLAY", started.c_str(), 1);
}

}  // namespace vr
