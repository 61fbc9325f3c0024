// SPDX-License-Identifier: GPL-3.0-or-later
#include "warm/warm_serve.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
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
#include <filesystem>
#include <iostream>

#include "core/error.hpp"
#include "supervise/interrupts.hpp"
#include "supervise/supervise.hpp"

namespace vr {

namespace {

constexpr int passed_fds = 4;  // 0, 1, 2 and the working folder

void send_line(int fd, const std::string& line) {
    const std::string text = line + "\n";
    (void)::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
}

pid_t pidfd_open(pid_t pid) { return static_cast<pid_t>(::syscall(SYS_pidfd_open, pid, 0)); }

// A session at work: its process, its caller's connection, and, for one
// made ahead, the line on which it says it is ready for another caller.
struct session {
    pid_t pid = 0;
    unique_fd pidfd;
    unique_fd conn;
    unique_fd ctl;
    bool told_to_end = false;
};

// A session made ahead, or ready again: its process waits for a caller's
// message on ctl.
struct ahead {
    pid_t pid = 0;
    unique_fd pidfd;
    unique_fd ctl;
};

// Every descriptor of the warm process's own that a child must not hold
// (a caller's connection held open would never end for it).
struct held {
    unique_fd& listener;
    std::vector<session>& sessions;
    std::vector<ahead>& aheads;
    void close_in_child() {
        ::close(listener.release());
        for (auto& s : sessions) {
            ::close(s.pidfd.release());
            ::close(s.conn.release());
            ::close(s.ctl.release());
        }
        for (auto& a : aheads) {
            ::close(a.pidfd.release());
            ::close(a.ctl.release());
        }
    }
};

// How many callers a session serves, one after another, before it ends
// (the warm process makes another): what a run leaves in a process that
// no run frees stays bounded.
constexpr int callers_per_session = 256;

// Puts the caller's descriptors and folder in place and runs its
// arguments; returns their exit code with SIGINT and SIGTERM blocked: the
// SIGTERM the warm process sends when the caller, told, hangs up must not
// end this process before it has reaped its worker.
int run_for_caller(std::vector<std::string>& args, int (&fds)[passed_fds],
                   const std::function<int(int, char**)>& run) {
    for (int i = 0; i < 3; ++i) ::dup2(fds[i], i);
    const bool there = ::fchdir(fds[3]) == 0;
    for (int fd : fds)
        if (fd > 2) ::close(fd);
    int code = 3;
    if (there) {
        if (char* here = ::getcwd(nullptr, 0)) {
            ::setenv("PWD", here, 1);
            std::free(here);
        }
        std::vector<char*> argv;
        for (auto& s : args) argv.push_back(s.data());
        argv.push_back(nullptr);
        code = run(static_cast<int>(args.size()), argv.data());
    }
    std::fflush(nullptr);
    const sigset_t ends = interrupts::set();
    ::sigprocmask(SIG_BLOCK, &ends, nullptr);
    return code;
}

// Whether a run left this process fit to serve another caller: it was not
// interrupted, and no SIGINT or SIGTERM waits for it.
bool fit_for_another() {
    if (interrupts::caught != 0) return false;
    sigset_t waiting;
    sigemptyset(&waiting);
    ::sigpending(&waiting);
    return sigismember(&waiting, SIGINT) == 0 && sigismember(&waiting, SIGTERM) == 0;
}

// A descriptor as this process holds it: its number and what it is.
struct open_fd {
    int fd;
    dev_t dev;
    ino_t ino;
};

std::vector<open_fd> open_descriptors() {
    std::vector<open_fd> all;
    std::error_code ec;
    for (std::filesystem::directory_iterator d("/proc/self/fd", ec), end; !ec && d != end; d.increment(ec)) {
        const int fd = std::atoi(d->path().filename().c_str());
        struct stat st {};
        if (fd > 2 && ::fstat(fd, &st) == 0) all.push_back({fd, st.st_dev, st.st_ino});
    }
    return all;
}

// Between two callers: every descriptor the run opened (its records, its
// caller's output and input, sockets to a worker) is closed, whatever the
// run left open, so that no caller's pipe or file stays held here; 0, 1
// and 2 read and write /dev/null; the folder is /; the streams' error and
// end marks are cleared; SIGINT and SIGTERM come through again.
void between_callers(const std::vector<open_fd>& kept) {
    for (const open_fd& now : open_descriptors()) {
        const bool ours = std::any_of(kept.begin(), kept.end(), [&](const open_fd& k) {
            return k.fd == now.fd && k.dev == now.dev && k.ino == now.ino;
        });
        if (!ours) ::close(now.fd);
    }
    const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int i = 0; i < 3 && null >= 0; ++i) ::dup2(null, i);
    if (null > 2) ::close(null);
    if (::chdir("/") == 0) ::setenv("PWD", "/", 1);
    std::clearerr(stdin);
    std::clearerr(stdout);
    std::clearerr(stderr);
    std::cin.clear();
    std::cout.clear();
    std::cerr.clear();
    const sigset_t ends = interrupts::set();
    ::sigprocmask(SIG_UNBLOCK, &ends, nullptr);
}

// A session forked for its caller (none was made ahead): tells it its pid,
// runs its arguments, tells it their exit code and exits with it. Told at
// once, the caller ends while this process and its worker are still being
// taken down (the warm process tells it again when this one has ended, or
// how it died, when it never told).
[[noreturn]] void become_session(std::vector<std::string>& args, int (&fds)[passed_fds], int conn,
                                 const std::function<int(int, char**)>& run) {
    // First on the connection, before anything the session may say.
    send_line(conn, "pid " + std::to_string(::getpid()));
    const int code = run_for_caller(args, fds, run);
    send_line(conn, "exit " + std::to_string(code));
    // Its worker, killed unwaited at the run's end (leave_worker_at_end),
    // is reaped now: an orphan's zombie may have no one else to reap it.
    reap_left_workers();
    ::_exit(code);
}

// Makes a session ahead: it prepares, then waits for the message of the
// caller it is given (or for the warm process to close its end: it ends).
// Its run over, it says on ctl that it is ready again before it tells its
// caller how the run ended, puts itself back as it was (between_callers),
// prepares again and waits for the next caller: a caller after the first
// pays for no new session process, nor for its first writes to the pages
// it shares with the warm process.
bool make_ahead(held fds, const warm_sessions& how) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return false;
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        fds.close_in_child();
        ::close(sv[0]);
        for (int served = 1;; ++served) {
            how.prepare();
            const std::vector<open_fd> kept = open_descriptors();
            int passed[passed_fds + 1];  // and the caller's connection
            std::vector<std::string> args = take_warm_request(sv[1], passed);
            if (args.empty()) ::_exit(0);
            (void)::send(sv[1], "t", 1, MSG_NOSIGNAL);  // taken
            const int conn = passed[passed_fds];
            send_line(conn, "pid " + std::to_string(::getpid()));
            int caller[passed_fds];
            std::copy(passed, passed + passed_fds, caller);
            const int code = run_for_caller(args, caller, how.run);
            const bool again = served < callers_per_session && fit_for_another();
            if (again) (void)::send(sv[1], "r", 1, MSG_NOSIGNAL);  // ready: said before the caller can hang up
            send_line(conn, "exit " + std::to_string(code));
            ::close(conn);
            reap_left_workers();
            if (!again) {
                end_kept_worker();
                ::_exit(code);
            }
            between_callers(kept);
        }
    }
    ::close(sv[1]);
    if (pid < 0) {
        ::close(sv[0]);
        return false;
    }
    fds.aheads.push_back({pid, unique_fd(pidfd_open(pid)), unique_fd(sv[0])});
    return true;
}

// Hands a caller's message to a session made ahead: whether it took it
// (one that died before saying so ran nothing of it).
bool hand_to(ahead& a, const std::vector<std::string>& args, const int (&fds)[passed_fds], int conn) {
    int with_conn[passed_fds + 1];
    std::copy(fds, fds + passed_fds, with_conn);
    with_conn[passed_fds] = conn;
    if (!send_warm_request(a.ctl.get(), args, with_conn)) return false;
    pollfd p[] = {{a.ctl.get(), POLLIN, 0}, {a.pidfd.get(), POLLIN, 0}};
    while (::poll(p, 2, -1) < 0 && errno == EINTR) {
    }
    char said = 0;
    return (p[0].revents & POLLIN) != 0 && ::recv(a.ctl.get(), &said, 1, 0) == 1 && said == 't';
}

void end_ahead(ahead& a) {
    ::kill(a.pid, SIGKILL);
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(a.pid), &info, WEXITED) != 0 && errno == EINTR) {
    }
}

}  // namespace

int serve_warm(const std::string& socket, double idle_s, const warm_sessions& how) {
    const std::string made = socket + "." + std::to_string(::getpid());
    ::unlink(made.c_str());
    unique_fd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (made.size() >= sizeof a.sun_path) return 3;
    std::memcpy(a.sun_path, made.c_str(), made.size() + 1);
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
    std::vector<ahead> aheads;
    held fds{listener, sessions, aheads};
    std::size_t want_ahead = how.prepare ? how.ahead : 0;
    for (;;) {
        // Sessions come back once their run is over: one is made only
        // when those waiting and those that will come back are fewer than
        // wanted (one ended), and then once none runs: made while one
        // runs, a session and its worker take a processor from that
        // session's render (the scheduler puts them beside it), on its
        // caller's time. Unless none is left: a caller would wait for one.
        const auto coming_back = static_cast<std::size_t>(
            std::count_if(sessions.begin(), sessions.end(), [](const session& s) { return bool(s.ctl); }));
        while (aheads.size() + coming_back < want_ahead && (sessions.empty() || aheads.empty()))
            if (!make_ahead(fds, how)) want_ahead = 0;
        std::vector<pollfd> p{{listener.get(), POLLIN, 0}};
        for (auto& s : sessions) {
            p.push_back({s.pidfd.get(), POLLIN, 0});
            p.push_back({s.conn.get(), POLLIN, 0});
            p.push_back({s.ctl.get(), POLLIN, 0});  // none (-1): not polled
        }
        for (auto& w : aheads) p.push_back({w.pidfd.get(), POLLIN, 0});
        int wait_ms = -1;
        if (sessions.empty()) {
            const double left = idle_s - std::chrono::duration<double>(clock::now() - last).count();
            if (left <= 0) break;
            wait_ms = static_cast<int>(left * 1000) + 1;
        }
        if (::poll(p.data(), p.size(), wait_ms) < 0 && errno != EINTR) break;
        std::vector<ahead> ready;  // sessions whose run is over, ready for another caller
        for (std::size_t i = 0; i < sessions.size(); ++i) {
            session& s = sessions[i];
            // Read first: a session says it is ready before it tells its
            // caller how the run ended, so the caller's hanging up after
            // that is never taken for one that left mid-run.
            if (s.ctl && p[1 + 3 * i + 2].revents != 0) {
                char said = 0;
                if (::recv(s.ctl.get(), &said, 1, MSG_DONTWAIT) == 1 && said == 'r' && !s.told_to_end) {
                    ready.push_back({s.pid, std::move(s.pidfd), std::move(s.ctl)});
                    s.pid = 0;
                    continue;
                }
                // Ending (or told to: closed, it ends as it waits).
                s.ctl = unique_fd();
            }
            if (p[1 + 3 * i + 1].revents != 0 && !s.told_to_end) {
                // The caller is gone (nothing else comes from it): the
                // session ends as an interrupted render-one does.
                ::kill(s.pid, SIGTERM);
                s.told_to_end = true;
            }
            if (p[1 + 3 * i].revents == 0) continue;
            siginfo_t info{};
            if (::waitid(P_PID, static_cast<id_t>(s.pid), &info, WEXITED) != 0) continue;
            send_line(s.conn.get(), info.si_code == CLD_EXITED ? "exit " + std::to_string(info.si_status)
                                                               : "signal " + std::to_string(info.si_status));
            s.pid = 0;
        }
        // One made ahead that died unused (its preparing failed): none
        // is made ahead again, as the next would die the same way.
        for (std::size_t i = 0; i < aheads.size(); ++i)
            if (p[1 + 3 * sessions.size() + i].revents != 0) {
                end_ahead(aheads[i]);
                aheads[i].pid = 0;
                want_ahead = 0;
            }
        std::erase_if(aheads, [](const ahead& w) { return w.pid == 0; });
        // The last to serve goes first: its pages are its own already.
        // (Never more than wanted: a safety net, as those running count
        // among those waiting when sessions are made, above.)
        for (auto& r : ready) aheads.insert(aheads.begin(), std::move(r));
        while (aheads.size() > how.ahead) {
            end_ahead(aheads.back());
            aheads.pop_back();
        }
        if (std::erase_if(sessions, [](const session& s) { return s.pid == 0; }) > 0) last = clock::now();
        if ((p[0].revents & POLLIN) == 0) continue;
        unique_fd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!conn) continue;
        int passed[passed_fds];
        std::vector<std::string> args = take_warm_request(conn.get(), passed);
        if (args.empty()) continue;
        session s;
        // The first made ahead that takes the message runs it.
        while (!aheads.empty() && !s.pid) {
            ahead w = std::move(aheads.front());
            aheads.erase(aheads.begin());
            if (hand_to(w, args, passed, conn.get())) {
                s.pid = w.pid;
                s.pidfd = std::move(w.pidfd);
                s.ctl = std::move(w.ctl);
            } else {
                end_ahead(w);
                want_ahead = 0;
            }
        }
        if (!s.pid) {
            std::fflush(nullptr);
            const pid_t pid = ::fork();
            if (pid == 0) {
                fds.close_in_child();
                become_session(args, passed, conn.get(), how.run);
            }
            if (pid > 0) {
                s.pid = pid;
                s.pidfd = unique_fd(pidfd_open(pid));
            }
        }
        for (int fd : passed) ::close(fd);
        if (!s.pid) continue;  // the caller reads no pid: it renders itself (the session says it)
        s.conn = std::move(conn);
        sessions.push_back(std::move(s));
    }
    for (auto& w : aheads) end_ahead(w);
    struct stat now {};
    if (::stat(socket.c_str(), &now) == 0 && now.st_ino == mine.st_ino && now.st_dev == mine.st_dev)
        ::unlink(socket.c_str());
    return 0;
}

}  // namespace vr
