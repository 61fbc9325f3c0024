// SPDX-License-Identifier: GPL-3.0-or-later
#include "supervise/sandbox.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/handles.hpp"
#include "core/process.hpp"

namespace vr {

namespace fs = std::filesystem;

namespace {

// The trees a sandbox replaces with empty folders: users' files, and the
// temporary and runtime folders where other programs keep theirs.
constexpr const char* hidden_trees[] = {"/home", "/root", "/tmp", "/var/tmp", "/run"};

bool is_within(const std::string& path, const std::string& dir) {
    if (dir == "/") return true;
    return path.size() >= dir.size() && path.compare(0, dir.size(), dir) == 0 &&
           (path.size() == dir.size() || path[dir.size()] == '/');
}

bool is_hidden(const std::string& path) {
    return std::any_of(std::begin(hidden_trees), std::end(hidden_trees),
                       [&](const char* tree) { return is_within(path, tree); });
}

bool is_real_folder(const char* path) {
    struct stat st {};
    return ::lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

std::string normal(const std::string& path) {
    std::string p = fs::path(path).lexically_normal().string();
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p;
}

std::string folder_of(const std::string& file) { return normal(fs::path(file).parent_path().string()); }

// The bwrap to run: VR_BWRAP (tests point it at a missing file), else PATH's.
std::string bwrap_program() {
    const char* given = std::getenv("VR_BWRAP");
    return given && *given ? given : "bwrap";
}

// What every sandbox is, whatever its jobs: no network, no other processes
// in sight, dies with its parent (the supervisor), no capabilities, no
// terminal to inject into; the file system read-only, with a minimal /dev
// and a /proc of its own, and the hidden trees empty.
std::vector<std::string> base_options() {
    std::vector<std::string> a{"--die-with-parent", "--new-session",  "--unshare-net", "--unshare-pid",
                               "--unshare-ipc",     "--unshare-uts",  "--cap-drop",    "ALL",
                               "--ro-bind",         "/",              "/",             "--dev",
                               "/dev",              "--proc",         "/proc"};
    for (const char* tree : hidden_trees)
        if (is_real_folder(tree)) a.insert(a.end(), {"--tmpfs", tree});
    return a;
}

// Private plugin homes are named so, below $TMPDIR (else /tmp).
constexpr const char* home_prefix = "vr-plugin-home.";

std::string temp_root() {
    const char* tmp = std::getenv("TMPDIR");
    return tmp && *tmp == '/' ? tmp : "/tmp";
}

// Removes the private homes of render-one runs that are gone. A home's
// maker holds a lock on its folder for as long as it lives (and its
// children, which share the lock); a kill -9 gives it no chance to remove
// the folder, but its lock goes with it. Only our own folders are looked at.
void sweep_abandoned_homes(const std::string& root) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(home_prefix, 0) != 0) continue;
        unique_fd fd(::open(entry.path().c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        struct stat st {};
        if (!fd || ::fstat(fd.get(), &st) != 0 || st.st_uid != ::geteuid()) continue;
        if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) continue;  // its maker lives
        fs::remove_all(entry.path(), ec);  // links inside are not followed
    }
}

// A folder of the plugin's own, made for the run when no --plugin-home is
// given, and removed at the end by the process that made it; one a killed
// run left behind is removed when the next one makes its own.
class private_home {
public:
    const std::string& path() {
        if (path_.empty()) {
            const std::string root = temp_root();
            sweep_abandoned_homes(root);
            // Made under another name, locked, then renamed: a sweep never
            // sees a home whose maker has not locked it yet.
            std::string pattern = root + "/vr-plugin-home-new.XXXXXX";
            if (!::mkdtemp(pattern.data()))
                throw record_error("cannot make the sandbox's plugin home " + pattern + ": " + std::strerror(errno));
            const std::string home = root + "/" + home_prefix + pattern.substr(pattern.size() - 6);
            unique_fd lock(::open(pattern.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!lock || ::flock(lock.get(), LOCK_EX | LOCK_NB) != 0 ||
                ::renameat2(AT_FDCWD, pattern.c_str(), AT_FDCWD, home.c_str(), RENAME_NOREPLACE) != 0) {
                const int error = errno;
                ::rmdir(pattern.c_str());
                throw record_error("cannot make the sandbox's plugin home " + home + ": " + std::strerror(error));
            }
            path_ = home;
            lock_ = std::move(lock);
            owner_ = ::getpid();
            for (const char* sub : {"/.config", "/.local/share", "/.cache"}) make_dirs(path_ + sub);
        }
        return path_;
    }
    ~private_home() { remove(); }
    void remove() {
        std::error_code ec;
        if (!path_.empty() && ::getpid() == owner_) fs::remove_all(path_, ec);  // links inside are not followed
        path_.clear();
        lock_ = unique_fd();
    }

private:
    std::string path_;
    unique_fd lock_;  // held while this process (or a child of it) lives
    pid_t owner_ = 0;
};

private_home g_home;

// This program's arguments as it was started, from /proc (the supervisor
// is a library: its caller's argv is not at hand).
std::vector<std::string> own_arguments() {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> args;
    std::size_t at = 0;
    while (at < all.size()) {
        std::size_t end = all.find('\0', at);
        if (end == std::string::npos) end = all.size();
        args.push_back(all.substr(at, end - at));
        at = end + 1;
    }
    return args;
}

[[noreturn]] void exec_program(const std::vector<std::string>& command) {
    std::vector<char*> argv;
    for (const auto& a : command) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    std::string message = "render-one: cannot run " + command[0] + ": " + std::strerror(errno) + "\n";
    [[maybe_unused]] auto n = ::write(2, message.data(), message.size());
    ::_exit(127);
}

}  // namespace

bool sandbox_spec::covers(const sandbox_spec& other) const {
    if (on != other.on) return false;
    if (!on) return true;
    if (output_root != other.output_root) return false;
    return std::all_of(other.readable.begin(), other.readable.end(), [&](const std::string& dir) {
        return std::any_of(readable.begin(), readable.end(), [&](const std::string& d) { return is_within(dir, d); });
    });
}

void sandbox_spec::merge(const sandbox_spec& other) {
    readable.insert(readable.end(), other.readable.begin(), other.readable.end());
    std::sort(readable.begin(), readable.end());
    readable.erase(std::unique(readable.begin(), readable.end()), readable.end());
}

sandbox_spec worker_sandbox_for(const sandbox_spec& current, const sandbox_spec& job, bool worker_running) {
    if (worker_running && current.covers(job)) return current;
    if (!(job.on && current.on && current.output_root == job.output_root)) return job;
    sandbox_spec grown = current;
    grown.merge(job);
    return grown;
}

sandbox_spec sandbox_of(const render_job& job, const sandbox_settings& settings) {
    sandbox_spec spec;
    if (!job.sandbox) return spec;
    spec.on = true;
    spec.output_root = normal(job.output_root);
    std::vector<std::string> wanted = settings.readable;
    auto file = [&](const std::string& path) {
        if (!path.empty() && path.front() == '/') wanted.push_back(folder_of(path));
    };
    bool windows = false;
    for (const auto& s : job.stages) {
        const std::string& where = s.plugin.location;
        if (!where.empty() && where.front() == '/') {
            // A bundle is a folder; a VST2 .so or .dll, a single-file VST3
            // or a Faust program may read beside it.
            bool bundle = (s.plugin.format == plugin_format::vst3 || s.plugin.format == plugin_format::lv2) &&
                          is_real_folder(where.c_str());
            wanted.push_back(bundle ? normal(where) : folder_of(where));
        }
        // Wine reads the prefix (make_render_job chose it, outside); its
        // writes fail there, as the rest of the file system's do.
        if (s.plugin.windows) {
            windows = true;
            if (!s.plugin.wine_prefix.empty()) wanted.push_back(s.plugin.wine_prefix);
            // Read-only under the writable output root too: bound over it.
            const std::string prefix = normal(s.plugin.wine_prefix);
            if (!prefix.empty() && is_within(prefix, spec.output_root) && is_real_folder(prefix.c_str()))
                spec.readable.push_back(prefix);
        }
        file(s.preset_path);
        file(s.state_path);
        file(s.sidechain_path);
    }
    if (windows) wanted.insert(wanted.end(), settings.windows_readable.begin(), settings.windows_readable.end());
    if (job.midi_mode) file(job.midi_path);
    file(job.input_path);
    for (auto& dir : wanted) {
        dir = normal(dir);
        // Outside the hidden trees, or under the writable root: readable anyway;
        // a missing folder cannot be bound, and its job fails as it would elsewhere.
        if (is_hidden(dir) && !is_within(dir, spec.output_root) && is_real_folder(dir.c_str()))
            spec.readable.push_back(dir);
    }
    spec.merge({});
    return spec;
}

std::optional<std::string> sandbox_unavailable() {
    static bool asked = false;
    static std::optional<std::string> why;
    if (asked) return why;
    asked = true;
    std::vector<std::string> command{bwrap_program()};
    for (auto& a : base_options()) command.push_back(std::move(a));
    command.insert(command.end(), {"--", "true"});
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw fatal_error(std::string("cannot make a pipe: ") + std::strerror(errno));
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(pipe_fds[1], 2);
        int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0);
        ::dup2(null, 1);
        exec_program(command);
    }
    ::close(pipe_fds[1]);
    std::string said;
    char buf[4096];
    for (ssize_t n; (n = ::read(pipe_fds[0], buf, sizeof buf)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        said.append(buf, static_cast<std::size_t>(n));
    }
    ::close(pipe_fds[0]);
    int status = pid > 0 ? reap_child(pid) : -1;
    if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) return why;
    while (!said.empty() && (said.back() == '\n' || said.back() == ' ')) said.pop_back();
    const std::string ours = "render-one: ";  // exec_program's message
    if (said.compare(0, ours.size(), ours) == 0) said = said.substr(ours.size());
    why = "the sandbox is not available here (" + command[0] + " " + command[1] + " ... true failed" +
          (said.empty() ? "" : ": " + said) + "); install bubblewrap and allow user namespaces";
    return why;
}

void require_sandbox() {
    if (auto why = sandbox_unavailable()) throw fatal_error("--sandbox: " + *why);
}

void remove_sandbox_home() { g_home.remove(); }

bool take_sandbox_worker_marker(int& argc, char** argv) {
    if (argc < 2 || std::strcmp(argv[argc - 1], sandbox_worker_marker) != 0) return false;
    argv[--argc] = nullptr;
    return true;
}

std::vector<std::string> sandboxed_worker_command(const sandbox_spec& spec, const sandbox_settings& settings) {
    make_dirs(spec.output_root);  // a folder to bind: jobs create it as they write, here it must be first
    std::vector<std::string> c{bwrap_program()};
    for (auto& a : base_options()) c.push_back(std::move(a));
    const std::string exe = own_executable();
    const bool private_home = !settings.plugin_home;
    const std::string home = private_home ? g_home.path() : normal(*settings.plugin_home);
    if (is_hidden(exe)) c.insert(c.end(), {"--ro-bind", exe, exe});
    // Parents before children, so that a folder bound inside another shows.
    std::vector<std::pair<std::string, bool>> binds{{spec.output_root, true}, {home, true}};
    for (const auto& dir : spec.readable) binds.emplace_back(dir, false);
    std::sort(binds.begin(), binds.end());
    for (const auto& [dir, writable] : binds) c.insert(c.end(), {writable ? "--bind" : "--ro-bind", dir, dir});
    if (private_home) {
        c.insert(c.end(), {"--setenv", "HOME", home});
        for (auto [variable, sub] : {std::pair{"XDG_CONFIG_HOME", "/.config"}, std::pair{"XDG_DATA_HOME", "/.local/share"},
                                     std::pair{"XDG_CACHE_HOME", "/.cache"}})
            c.insert(c.end(), {"--setenv", variable, home + sub});
    }
    c.insert(c.end(), {"--setenv", "TMPDIR", "/tmp"});
    // The user's display is not the plugin's to see (its socket is hidden
    // with /tmp anyway): a Windows plugin that needs a window gets an Xvfb
    // of the sandbox's own (supervise/display.hpp).
    c.insert(c.end(), {"--unsetenv", "DISPLAY", "--unsetenv", "XAUTHORITY"});
    // The worker reads the same options again: relative paths must resolve
    // the same, so it starts in the same folder (an empty one, if hidden).
    std::error_code ec;
    std::string cwd = fs::current_path(ec).string();
    if (!ec && !cwd.empty()) {
        if (is_hidden(cwd)) c.insert(c.end(), {"--dir", cwd});
        c.insert(c.end(), {"--chdir", cwd});
    }
    c.push_back("--");
    std::vector<std::string> args = own_arguments();
    c.push_back(exe);
    if (!args.empty()) c.insert(c.end(), args.begin() + 1, args.end());
    c.push_back(sandbox_worker_marker);
    return c;
}

void exec_sandboxed_worker(const std::vector<std::string>& command) {
    // The connection crosses exec: bwrap passes inherited descriptors on.
    ::fcntl(3, F_SETFD, 0);
    exec_program(command);
}

}  // namespace vr
