// SPDX-License-Identifier: GPL-3.0-or-later
#include "supervise/warm.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>

#include "core/error.hpp"
#include "core/hash.hpp"

extern char** environ;

namespace vr {

namespace {

constexpr const char* hello = "vr-warm 1";
constexpr int passed_fds = 4;  // 0, 1, 2 and the working folder

std::string errno_text() { return std::strerror(errno); }

sockaddr_un address_of(const std::string& path) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (path.size() >= sizeof a.sun_path) throw record_error(path + ": too long for a socket's name");
    std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
    return a;
}

// The lines the warm process answers with: "pid N", then "exit C" or
// "signal S".
bool read_line(int fd, std::string& line) {
    line.clear();
    char c;
    for (;;) {
        ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        if (c == '\n') return true;
        line.push_back(c);
        if (line.size() > 64) return false;
    }
}

void send_line(int fd, const std::string& line) {
    const std::string text = line + "\n";
    (void)::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
}

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

pid_t pidfd_open(pid_t pid) { return static_cast<pid_t>(::syscall(SYS_pidfd_open, pid, 0)); }

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
    struct stat st {};
    if (::stat("/proc/self/exe", &st) == 0)
        k += "\nexe " + std::to_string(st.st_dev) + " " + std::to_string(st.st_ino) + " " + std::to_string(st.st_size) +
             " " + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
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
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(k.data());
    return sha256_hex(std::span<const std::uint8_t>(bytes, k.size())).substr(0, 32);
}

std::optional<warm_ending> run_warm(const std::string& socket, int argc, char** argv) {
    unique_fd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) return std::nullopt;
    const sockaddr_un a = address_of(socket);
    if (::connect(s.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) return std::nullopt;
    std::string message = hello;
    message.push_back('\0');
    for (int i = 0; i < argc; ++i) message.append(argv[i]).push_back('\0');
    unique_fd here(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!here) return std::nullopt;
    const int fds[passed_fds] = {0, 1, 2, here.get()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof fds)] = {};
    iovec io{message.data(), message.size()};
    msghdr m{};
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    m.msg_control = control;
    m.msg_controllen = sizeof control;
    cmsghdr* h = CMSG_FIRSTHDR(&m);
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_RIGHTS;
    h->cmsg_len = CMSG_LEN(sizeof fds);
    std::memcpy(CMSG_DATA(h), fds, sizeof fds);
    if (::sendmsg(s.get(), &m, MSG_NOSIGNAL) != static_cast<ssize_t>(message.size())) return std::nullopt;
    here.close("the working folder");
    std::string line;
    if (!read_line(s.get(), line) || line.rfind("pid ", 0) != 0) return std::nullopt;
    g_session = std::atoi(line.c_str() + 4);
    struct sigaction pass {}, old_int {}, old_term {};
    pass.sa_handler = pass_on;
    sigemptyset(&pass.sa_mask);
    ::sigaction(SIGINT, &pass, &old_int);
    ::sigaction(SIGTERM, &pass, &old_term);
    const bool answered = read_line(s.get(), line);
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

namespace {

struct session {
    pid_t pid = 0;
    unique_fd pidfd;
    unique_fd conn;
    bool told_to_end = false;
};

// Reads a caller's message: its arguments and its descriptors. Empty when
// it is not one.
std::vector<std::string> take_request(int conn, int (&fds)[passed_fds]) {
    static char buf[1 << 16];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof fds)];
    iovec io{buf, sizeof buf};
    msghdr m{};
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    m.msg_control = control;
    m.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(conn, &m, MSG_CMSG_CLOEXEC);
    cmsghdr* h = CMSG_FIRSTHDR(&m);
    if (n <= 0 || !h || h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS ||
        h->cmsg_len != CMSG_LEN(sizeof fds))
        return {};
    std::memcpy(fds, CMSG_DATA(h), sizeof fds);
    std::vector<std::string> args;
    for (ssize_t at = 0; at < n;) {
        const char* p = buf + at;
        const std::size_t len = ::strnlen(p, static_cast<std::size_t>(n - at));
        if (at + static_cast<ssize_t>(len) >= n) break;  // not ended by a NUL: cut short
        args.emplace_back(p, len);
        at += static_cast<ssize_t>(len) + 1;
    }
    if (args.size() < 2 || args[0] != hello || (m.msg_flags & MSG_TRUNC) != 0) {
        for (int fd : fds) ::close(fd);
        return {};
    }
    args.erase(args.begin());
    return args;
}

}  // namespace

int serve_warm(const std::string& socket, double idle_s, const std::function<int(int argc, char** argv)>& run) {
    const std::string made = socket + "." + std::to_string(::getpid());
    ::unlink(made.c_str());
    unique_fd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    const sockaddr_un a = address_of(made);
    if (!listener || ::bind(listener.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listener.get(), 64) != 0 || ::rename(made.c_str(), socket.c_str()) != 0) {
        ::unlink(made.c_str());
        return 3;
    }
    struct stat mine {};
    ::stat(socket.c_str(), &mine);
    using clock = std::chrono::steady_clock;
    auto last = clock::now();
    std::vector<session> sessions;
    for (;;) {
        std::vector<pollfd> p{{listener.get(), POLLIN, 0}};
        for (auto& s : sessions) {
            p.push_back({s.pidfd.get(), POLLIN, 0});
            p.push_back({s.conn.get(), POLLIN, 0});
        }
        int wait_ms = -1;
        if (sessions.empty()) {
            const double left = idle_s - std::chrono::duration<double>(clock::now() - last).count();
            if (left <= 0) break;
            wait_ms = static_cast<int>(left * 1000) + 1;
        }
        if (::poll(p.data(), p.size(), wait_ms) < 0 && errno != EINTR) break;
        for (std::size_t i = 0; i < sessions.size(); ++i) {
            session& s = sessions[i];
            if (p[1 + 2 * i + 1].revents != 0 && !s.told_to_end) {
                // The caller is gone (nothing else comes from it): the
                // session ends as an interrupted render-one does.
                ::kill(s.pid, SIGTERM);
                s.told_to_end = true;
            }
            if (p[1 + 2 * i].revents == 0) continue;
            siginfo_t info{};
            if (::waitid(P_PID, static_cast<id_t>(s.pid), &info, WEXITED) != 0) continue;
            send_line(s.conn.get(), info.si_code == CLD_EXITED ? "exit " + std::to_string(info.si_status)
                                                               : "signal " + std::to_string(info.si_status));
            s.pid = 0;
        }
        if (std::erase_if(sessions, [](const session& s) { return s.pid == 0; }) > 0) last = clock::now();
        if ((p[0].revents & POLLIN) == 0) continue;
        unique_fd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!conn) continue;
        int fds[passed_fds];
        std::vector<std::string> args = take_request(conn.get(), fds);
        if (args.empty()) continue;
        std::fflush(nullptr);
        const pid_t pid = ::fork();
        if (pid == 0) {
            listener.release();
            for (auto& s : sessions) {
                ::close(s.pidfd.release());
                ::close(s.conn.release());
            }
            for (int i = 0; i < 3; ++i) ::dup2(fds[i], i);
            if (::fchdir(fds[3]) != 0) ::_exit(3);
            for (int fd : fds)
                if (fd > 2) ::close(fd);
            ::close(conn.release());
            if (char* here = ::getcwd(nullptr, 0)) {
                ::setenv("PWD", here, 1);
                std::free(here);
            }
            std::vector<char*> argv;
            for (auto& s : args) argv.push_back(s.data());
            argv.push_back(nullptr);
            const int code = run(static_cast<int>(args.size()), argv.data());
            std::fflush(nullptr);
            ::_exit(code);
        }
        for (int fd : fds) ::close(fd);
        if (pid < 0) continue;  // the caller reads no pid: it renders itself
        session s;
        s.pid = pid;
        s.pidfd = unique_fd(pidfd_open(pid));
        send_line(conn.get(), "pid " + std::to_string(pid));
        s.conn = std::move(conn);
        sessions.push_back(std::move(s));
    }
    struct stat now {};
    if (::stat(socket.c_str(), &now) == 0 && now.st_ino == mine.st_ino && now.st_dev == mine.st_dev)
        ::unlink(socket.c_str());
    return 0;
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
