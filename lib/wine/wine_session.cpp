// SPDX-License-Identifier: GPL-3.0-or-later
#include "wine/wine_session.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string_view>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/handles.hpp"
#include "core/process.hpp"
#include "core/tool.hpp"
#include "supervise/display.hpp"

extern char** environ;

namespace vr::wine {

namespace {

bool is_executable_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// name as execvp would find it: the first executable file of that name in a
// PATH folder. Empty and relative PATH entries (the working folder) are
// passed over: what runs must not depend on where render-one was started.
std::string on_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::string_view dirs = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
    while (!dirs.empty()) {
        std::size_t colon = dirs.find(':');
        std::string_view dir = dirs.substr(0, colon);
        dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
        if (dir.empty() || dir.front() != '/') continue;
        std::string candidate = std::string(dir) + "/" + name;
        if (is_executable_file(candidate)) return candidate;
    }
    return "";
}

// wine.inf lives in <install>/share/wine beside <install>/bin or
// <install>/lib/wine, where the resolved command is (Debian's /usr/bin/wine
// ends in /usr/bin/wine-stable, WineHQ's in /opt/wine-stable/bin/wine).
std::string find_wine_inf(const std::string& command) {
    char resolved[PATH_MAX];
    if (!::realpath(command.c_str(), resolved)) return "";
    std::string dir = resolved;
    for (int up = 0; up < 4; ++up) {
        std::size_t slash = dir.rfind('/');
        if (slash == std::string::npos || slash == 0) break;
        dir.erase(slash);
        std::string inf = dir + "/share/wine/wine.inf";
        struct stat st {};
        if (::stat(inf.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return inf;
    }
    return "";
}

// This process's environment with NAME=value set (replaced when present).
std::vector<std::string> environment_with(const std::string& name, const std::string& value) {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e)
        if (std::strncmp(*e, name.c_str(), name.size()) != 0 || (*e)[name.size()] != '=') env.emplace_back(*e);
    env.push_back(name + "=" + value);
    return env;
}

std::optional<wine_install> look_for_wine() {
    wine_install w;
    w.wine = on_path("wine");
    w.wineserver = on_path("wineserver");
    if (w.wine.empty() || w.wineserver.empty()) return std::nullopt;
    // Debian's wine script prints a hint about wine32 unless WINEDEBUG says -all.
    run_result r;
    try {
        r = run_quiet({w.wine, "--version"}, environment_with("WINEDEBUG", "-all"), 30, true);
    } catch (const record_error&) {
        return std::nullopt;
    }
    std::string version = r.out.substr(0, r.out.find('\n'));
    while (!version.empty() && (version.back() == '\r' || version.back() == ' ')) version.pop_back();
    if (r.exit_code != 0 || version.empty()) return std::nullopt;
    w.version = version;
    w.wine_inf = find_wine_inf(w.wine);
    if (w.wine_inf.empty()) w.wine_inf = find_wine_inf(w.wineserver);
    return w;
}

bool has_name(const char* item, std::string_view name) {
    return std::strncmp(item, name.data(), name.size()) == 0 && item[name.size()] == '=';
}

}  // namespace

std::optional<wine_install> find_wine() {
    static const std::optional<wine_install> found = look_for_wine();
    return found;
}

std::vector<std::string> worker_environment(const std::string& prefix) {
    const std::string display = started_display();
    std::vector<std::string> env;
    std::string overrides;
    for (char** e = environ; e && *e; ++e) {
        if (has_name(*e, "WINEDLLOVERRIDES")) {
            overrides = *e + std::strlen("WINEDLLOVERRIDES=");
            continue;
        }
        if (has_name(*e, "WINEPREFIX") || has_name(*e, "WINEDEBUG")) continue;
        if (!display.empty() && has_name(*e, "DISPLAY")) continue;
        env.emplace_back(*e);
    }
    env.push_back("WINEPREFIX=" + absolute_path(prefix));
    env.push_back("WINEDEBUG=-all");
    // The last entry for a DLL wins (measured: "winedbg.exe=d;winedbg.exe=n,b"
    // starts the debugger), so ours goes last.
    env.push_back("WINEDLLOVERRIDES=" + (overrides.empty() ? std::string() : overrides + ";") + "winedbg.exe=d");
    if (!display.empty()) env.push_back("DISPLAY=" + display);
    return env;
}

void use_own_wine_desktop() {
    const char* display = std::getenv("DISPLAY");
    if (!display || !*display) return;
    std::string name = "vst-render";
    for (const char* c = display; *c; ++c)
        name += std::isalnum(static_cast<unsigned char>(*c)) ? *c : '-';
    ::setenv("VR_WINE_DESKTOP", name.c_str(), 1);
}

std::vector<char*> as_envp(std::vector<std::string>& env) {
    std::vector<char*> out;
    out.reserve(env.size() + 1);
    for (auto& item : env) out.push_back(item.data());
    out.push_back(nullptr);
    return out;
}

std::optional<std::string> prefix_update_stamp(const std::string& prefix, bool* missing) {
    if (missing) *missing = false;
    const std::string stamp_path = absolute_path(prefix) + "/.update-timestamp";
    unique_fd fd(::open(stamp_path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!fd) {
        if (missing) *missing = errno == ENOENT;
        return std::nullopt;
    }
    char buf[100];
    const ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
    if (n < 0) return std::nullopt;
    std::string stamp(buf, static_cast<std::size_t>(n));
    stamp.erase(std::min(stamp.find_first_of("\r\n"), stamp.size()));
    return stamp;
}

bool prefix_needs_update(const std::string& prefix) {
    const auto w = find_wine();
    if (!w || w->wine_inf.empty()) return false;
    struct stat inf {};
    if (::stat(w->wine_inf.c_str(), &inf) != 0) return false;
    bool missing = false;
    const auto stamp = prefix_update_stamp(prefix, &missing);
    if (!stamp) return missing;  // wineboot writes a missing one, and updates
    if (stamp->starts_with("disable")) return false;
    return std::strtoul(stamp->c_str(), nullptr, 10) != static_cast<unsigned long>(inf.st_mtime);
}

void say_prefix(const std::string& prefix, bool read_only) {
    static std::set<std::string> said;
    const auto w = find_wine();
    if (!w || !said.insert(prefix).second) return;
    warn("Windows plugins run in the wine prefix " + prefix + " with " + w->version);
    if (!prefix_needs_update(prefix)) return;
    if (read_only)
        warn("wine updates the prefix " + prefix + " (made or last updated by another wine) in each sandbox, in "
             "memory only (the sandbox keeps the prefix read-only): a second or two per sandbox");
    else
        warn("wine updates the prefix " + prefix + " (made or last updated by another wine) as it starts there");
}

run_result run_quiet(const std::vector<std::string>& argv, const std::vector<std::string>& env, double timeout_s,
                     bool capture) {
    unique_fd out_read, out_write;
    if (capture) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0)
            throw record_error(std::string("cannot create a pipe: ") + std::strerror(errno));
        out_read = unique_fd(fds[0]);
        out_write = unique_fd(fds[1]);
    }
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (capture)
        ::posix_spawn_file_actions_adddup2(&actions, out_write.get(), 1);
    else
        ::posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    ::posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    ::posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    std::vector<std::string> args = argv, environment = env;
    std::vector<char*> arg_ptrs = as_envp(args), env_ptrs = as_envp(environment);
    pid_t pid = -1;
    int err = ::posix_spawn(&pid, argv.at(0).c_str(), &actions, nullptr, arg_ptrs.data(), env_ptrs.data());
    ::posix_spawn_file_actions_destroy(&actions);
    if (err != 0) throw record_error("cannot run " + argv[0] + ": " + std::strerror(err));
    run_result result;
    const deadline until(timeout_s);
    if (capture) {
        out_write = unique_fd();
        char buf[4096];
        while (result.out.size() < 65536) {
            pollfd p{out_read.get(), POLLIN, 0};
            int left_ms = static_cast<int>(until.seconds_left() * 1000);
            if (left_ms <= 0) break;
            int ready = ::poll(&p, 1, left_ms);
            if (ready < 0 && errno == EINTR) continue;
            if (ready <= 0) break;
            ssize_t n = ::read(out_read.get(), buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            result.out.append(buf, static_cast<std::size_t>(n));
        }
    }
    if (!wait_child_ended(pid, until.seconds_left() > 0 ? until.seconds_left() : 0)) {
        ::kill(pid, SIGKILL);
        result.timed_out = true;
    }
    int status = reap_child(pid);
    if (WIFEXITED(status) && !result.timed_out) result.exit_code = WEXITSTATUS(status);
    return result;
}

}  // namespace vr::wine
