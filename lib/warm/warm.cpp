// SPDX-License-Identifier: GPL-3.0-or-later
#include "warm/warm.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "core/tool.hpp"
#include "plugins/provenance.hpp"

extern char** environ;

namespace vr {

namespace {

constexpr const char* hello = "vr-warm 1";

std::string errno_text() { return std::strerror(errno); }

sockaddr_un address_of(const std::string& path) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (path.size() >= sizeof a.sun_path) throw record_error(path + ": too long for a socket's name");
    std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
    return a;
}

// The lines the warm process answers with: "pid N", then "exit C" or
// "signal S", read a buffer at a time rather than a byte a call. A line
// cut short by the end of the connection is none.
struct session_lines {
    int fd;
    std::string held;
    bool read_line(std::string& line) {
        for (;;) {
            if (const auto end = held.find('\n'); end != std::string::npos) {
                line.assign(held, 0, end);
                held.erase(0, end + 1);
                return true;
            }
            if (held.size() > 64) return false;
            char buf[128];
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return false;
            held.append(buf, static_cast<std::size_t>(n));
        }
    }
};

volatile sig_atomic_t g_session = 0;  // the session a caller waits for

extern "C" void pass_on(int sig) {
    if (g_session > 0) ::kill(g_session, sig);
}

// Whether an environment variable is in the key: all but where the
// caller stands (each session is told its own), the shell's nesting (a
// background job's differs) and make's own, which a make -j sets for its
// recipes: none a plugin reads.
bool keyed(const std::string& v) {
    for (const char* name : {"PWD=", "OLDPWD=", "_=", "SHLVL=", "MAKEFLAGS=", "MFLAGS=", "MAKELEVEL=", "MAKEOVERRIDES=",
                             "MAKE_TERMOUT=", "MAKE_TERMERR="})
        if (v.rfind(name, 0) == 0) return false;
    return true;
}

// What a warm render-one is keyed by beyond the binary, user, umask and
// environment: the host binary, the plugin, its binary as it is on disk
// now (one updated in place, or replaced, is another key: a process that
// loaded it cannot load it again), and what its worker is made with.
// nullopt when this run cannot go to one (run_in_warm says when).
std::optional<std::string> warm_extra(const render_options& o, const std::string& host) {
    if ((o.mode != render_mode::single && o.mode != render_mode::batch) || !o.isolate || o.defaults.sandbox ||
        !o.plugins.has_default() || std::getenv("SLURM_JOB_ID"))
        return std::nullopt;
    const plugin_ref p = o.plugins.default_plugin();
    if (p.windows || p.format == plugin_format::faust) return std::nullopt;
    const auto plugin = stat_identity(plugin_binary_path(p)), host_file = stat_identity(host);
    if (!plugin || !host_file) return std::nullopt;
    std::string k = *host_file + '\0' + p.location + '\0' + *plugin + '\0';
    k += std::to_string(o.defaults.sample_rate) + " " + std::to_string(o.defaults.block_size) + " " +
         std::to_string(o.worker.real_randomness) + " " + std::to_string(o.worker.faust_max_mb) + " " +
         std::to_string(o.worker.faust_voices.value_or(0)) + '\0';
    for (const auto& l : o.worker.faust_libs) k += l + '\0';
    return k + o.plugin_home.value_or("");
}

}  // namespace

std::string warm_folder() {
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    const std::string dir = runtime && runtime[0] == '/' ? std::string(runtime) + "/vst-render"
                                                         : "/tmp/vst-render-" + std::to_string(::geteuid());
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) throw record_error("cannot make " + dir + ": " + errno_text());
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) throw record_error("cannot read " + dir + ": " + errno_text());
    if (!S_ISDIR(st.st_mode)) throw record_error(dir + " is not a folder");
    if (st.st_uid != ::geteuid()) throw record_error(dir + " belongs to another user");
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        throw record_error(dir + " is open to other users (mode " + mode + "): it must be 0700");
    }
    return dir;
}

std::string warm_key(const std::string& extra) {
    std::string k = hello;
    if (auto exe = stat_identity("/proc/self/exe")) k += "\nexe " + *exe;
    const mode_t mask = ::umask(0);
    ::umask(mask);
    k += "\nuser " + std::to_string(::geteuid()) + " umask " + std::to_string(mask) + "\n";
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) {
        const std::string v = *e;
        if (!keyed(v)) continue;
        env.push_back(v);
    }
    std::sort(env.begin(), env.end());
    for (const auto& v : env) k += v + '\0';
    k += "\n" + extra;
    return name_hash_hex(k);
}

bool send_warm_request(int socket, const std::vector<std::string>& args, std::span<const int> fds) {
    std::string message = hello;
    message.push_back('\0');
    for (const auto& a : args) message.append(a).push_back('\0');
    std::vector<char> control(CMSG_SPACE(fds.size_bytes()));
    iovec io{message.data(), message.size()};
    msghdr m{};
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    m.msg_control = control.data();
    m.msg_controllen = control.size();
    cmsghdr* h = CMSG_FIRSTHDR(&m);
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_RIGHTS;
    h->cmsg_len = CMSG_LEN(fds.size_bytes());
    std::memcpy(CMSG_DATA(h), fds.data(), fds.size_bytes());
    ssize_t n;
    while ((n = ::sendmsg(socket, &m, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
    }
    return n == static_cast<ssize_t>(message.size());
}

std::vector<std::string> take_warm_request(int socket, std::span<int> fds) {
    static char buf[1 << 16];
    std::vector<char> control(CMSG_SPACE(fds.size_bytes()));
    iovec io{buf, sizeof buf};
    msghdr m{};
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    m.msg_control = control.data();
    m.msg_controllen = control.size();
    ssize_t n;
    while ((n = ::recvmsg(socket, &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
    }
    cmsghdr* h = n > 0 ? CMSG_FIRSTHDR(&m) : nullptr;
    if (!h || h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS) return {};
    const std::size_t got = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    std::vector<int> passed(got);
    std::memcpy(passed.data(), CMSG_DATA(h), got * sizeof(int));
    std::vector<std::string> args;
    for (ssize_t at = 0; at < n;) {
        const char* p = buf + at;
        const std::size_t len = ::strnlen(p, static_cast<std::size_t>(n - at));
        if (at + static_cast<ssize_t>(len) >= n) break;  // not ended by a NUL: cut short
        args.emplace_back(p, len);
        at += static_cast<ssize_t>(len) + 1;
    }
    if (got != fds.size() || args.size() < 2 || args[0] != hello || (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0) {
        for (int fd : passed) ::close(fd);
        return {};
    }
    std::copy(passed.begin(), passed.end(), fds.begin());
    args.erase(args.begin());
    return args;
}

std::optional<warm_ending> run_warm(const std::string& socket, int argc, char** argv) {
    unique_fd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) return std::nullopt;
    const sockaddr_un a = address_of(socket);
    if (::connect(s.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) return std::nullopt;
    unique_fd here(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!here) return std::nullopt;
    const std::vector<std::string> args(argv, argv + argc);
    const int fds[] = {0, 1, 2, here.get()};
    if (!send_warm_request(s.get(), args, fds)) return std::nullopt;
    here.close("the working folder");
    std::string line;
    session_lines from{s.get(), {}};
    if (!from.read_line(line) || line.rfind("pid ", 0) != 0) return std::nullopt;
    g_session = std::atoi(line.c_str() + 4);
    struct sigaction pass {}, old_int {}, old_term {};
    pass.sa_handler = pass_on;
    sigemptyset(&pass.sa_mask);
    ::sigaction(SIGINT, &pass, &old_int);
    ::sigaction(SIGTERM, &pass, &old_term);
    const bool answered = from.read_line(line);
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
    g_session = 0;
    warm_ending end;
    if (answered && line.rfind("exit ", 0) == 0) {
        end.code = std::atoi(line.c_str() + 5);
    } else if (answered && line.rfind("signal ", 0) == 0) {
        end.signal = std::atoi(line.c_str() + 7);
    } else {
        throw record_error("the warm process (" + socket + ") ended while it ran this render-one");
    }
    return end;
}

warm_lock::warm_lock(const std::string& path)
    : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) {
    if (fd_ && ::flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) fd_ = unique_fd();
}

std::optional<int> run_in_warm(const render_options& options, int argc, char** argv, const std::string& host) {
    const auto extra = warm_extra(options, host);
    if (!extra) return std::nullopt;
    std::string folder;
    try {
        folder = warm_folder();
    } catch (const record_error& e) {
        warn(std::string("--warm: ") + e.what() + "; rendering without a warm render-one");
        return std::nullopt;
    }
    const std::string base = folder + "/render-one-" + warm_key(*extra);
    if (auto end = run_warm(base + ".sock", argc, argv)) {
        if (end->signal) {
            ::signal(end->signal, SIG_DFL);
            ::raise(end->signal);
        }
        return end->code;
    }
    // None is up: one starts unless one is starting (it holds the lock),
    // or one could not serve for this key (base.failed says why).
    if (::access((base + ".failed").c_str(), F_OK) != 0 && warm_lock(base + ".lock").held()) {
        std::vector<std::string> command{host};
        for (int i = 1; i < argc; ++i) command.emplace_back(argv[i]);
        command.insert(command.end(), {warm_marker, base + ".sock"});
        spawn_detached(command);
    }
    return std::nullopt;
}

void spawn_detached(const std::vector<std::string>& command) {
    std::vector<char*> argv;
    for (const auto& c : command) argv.push_back(const_cast<char*>(c.c_str()));
    argv.push_back(nullptr);
    std::fflush(nullptr);
    const pid_t first = ::fork();
    if (first < 0) return;
    if (first == 0) {
        ::setsid();
        if (::fork() != 0) ::_exit(0);
        const int null = ::open("/dev/null", O_RDWR);
        for (int i = 0; i < 3; ++i) ::dup2(null, i);
        ::close_range(3, ~0U, 0);
        // Every signal at its default, whatever the caller ignored (a make
        // started in the background ignores SIGINT and SIGQUIT, nohup
        // SIGHUP): exec keeps an ignored signal ignored, and render-one
        // keeps one ignored at its start so. The warm render-one serves
        // later callers, and its sessions must end by the SIGINT or SIGTERM
        // a caller passes on, whoever started it.
        for (int sig = 1; sig < NSIG; ++sig)
            if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    int status;
    while (::waitpid(first, &status, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace vr
