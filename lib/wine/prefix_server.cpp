// SPDX-License-Identifier: GPL-3.0-or-later
#include "wine/prefix_server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/process.hpp"
#include "wine/server_lookup.hpp"
#include "wine/wine_session.hpp"

namespace vr::wine {

namespace {

std::string errno_text() { return std::strerror(errno); }

int flock_retry(int fd, int operation) {
    int r;
    while ((r = ::flock(fd, operation)) != 0 && errno == EINTR) {
    }
    return r;
}

// The state file's exclusive lock, for one start or stop decision.
class state_lock {
public:
    explicit state_lock(int fd) : fd_(fd) {
        if (flock_retry(fd_, LOCK_EX) != 0) throw record_error("cannot lock the wine prefix's state: " + errno_text());
    }
    ~state_lock() { ::flock(fd_, LOCK_UN); }
    state_lock(const state_lock&) = delete;
    state_lock& operator=(const state_lock&) = delete;

private:
    int fd_;
};

// The folder of our lock files, created 0700 when missing, and refused
// unless it is a real folder (not a symlink), ours, and closed to others.
unique_fd open_lock_folder(const std::string& path) {
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
        throw record_error("cannot create the lock folder " + path + ": " + errno_text());
    unique_fd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir) throw record_error("unsafe lock folder " + path + " (a symlink or not a folder): " + errno_text());
    struct stat st {};
    if (::fstat(dir.get(), &st) != 0) throw record_error("cannot read the lock folder " + path + ": " + errno_text());
    if (st.st_uid != ::geteuid())
        throw record_error("unsafe lock folder " + path + ": owned by uid " + std::to_string(st.st_uid) +
                           ", not by us; remove it");
    if (st.st_mode & 077) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%o", static_cast<unsigned>(st.st_mode & 0777));
        throw record_error("unsafe lock folder " + path + ": mode " + mode + " lets others in; make it 700");
    }
    return dir;
}

unique_fd open_in(const unique_fd& dir, const std::string& name) {
    unique_fd fd(::openat(dir.get(), name.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) throw record_error("cannot open the lock file " + name + ": " + errno_text());
    return fd;
}

// What makes a folder a prefix: wine's registry, or the dosdevices folder
// wine makes first (a prefix whose server still runs after wineboot has
// not saved its registry yet).
void check_prefix(const std::string& prefix) {
    const std::string missing = "no wine prefix at " + prefix + ": make one with WINEPREFIX=" + prefix + " wineboot";
    struct stat st {};
    if (::stat(prefix.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) throw record_error(missing);
    if (st.st_uid != ::getuid())
        throw record_error("the wine prefix " + prefix + " belongs to uid " + std::to_string(st.st_uid) +
                           " and wine runs only in a prefix of the user's own");
    struct stat inner {};
    if (::stat((prefix + "/system.reg").c_str(), &inner) != 0 && ::stat((prefix + "/dosdevices").c_str(), &inner) != 0)
        throw record_error(missing);
}

std::string key_of(const std::string& prefix) {
    struct stat st {};
    if (::stat(prefix.c_str(), &st) != 0) throw record_error("cannot read the wine prefix " + prefix + ": " + errno_text());
    char key[64];
    std::snprintf(key, sizeof key, "%llx-%llx", static_cast<unsigned long long>(st.st_dev),
                  static_cast<unsigned long long>(st.st_ino));
    return key;
}

// The pid of the server a render-one started, as the state file holds it.
pid_t recorded_pid(int state) {
    char buf[32] = {};
    ssize_t n = ::pread(state, buf, sizeof buf - 1, 0);
    return n > 0 ? static_cast<pid_t>(std::strtol(buf, nullptr, 10)) : 0;
}

void record_pid(int state, pid_t pid) {
    const std::string text = pid > 0 ? std::to_string(pid) + "\n" : "";
    if (::ftruncate(state, 0) != 0 ||
        (!text.empty() && ::pwrite(state, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())))
        throw record_error("cannot write the wine prefix's state: " + errno_text());
}

// The prefix_servers of this process that are open, for close_all_prefix_servers.
std::mutex g_open_mutex;
std::vector<prefix_server*> g_open;

volatile sig_atomic_t g_open_count = 0;  // g_open.size(), for a signal handler

void add_open(prefix_server* p) {
    std::lock_guard lock(g_open_mutex);
    g_open.push_back(p);
    g_open_count = static_cast<sig_atomic_t>(g_open.size());
}

void remove_open(prefix_server* p) {
    std::lock_guard lock(g_open_mutex);
    g_open.erase(std::remove(g_open.begin(), g_open.end(), p), g_open.end());
    g_open_count = static_cast<sig_atomic_t>(g_open.size());
}

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

}  // namespace

std::string default_lock_folder() { return "/tmp/vst-render-wine-" + std::to_string(::geteuid()); }

prefix_server::prefix_server(const std::string& prefix, const std::string& lock_folder)
    : prefix_(absolute_path(prefix)) {
    // Without wine no prefix helps: that is said first.
    const auto wine = find_wine();
    if (!wine) throw record_error("a Windows plugin needs wine: apt-get install wine wine64");
    check_prefix(prefix_);
    wineserver_ = wine->wineserver;
    const unique_fd dir = open_lock_folder(lock_folder);
    const std::string key = key_of(prefix_);
    users_ = open_in(dir, key + ".users");
    state_ = open_in(dir, key + ".state");
    session_ = open_in(dir, key + ".session");
    state_lock decide(state_.get());
    // Never blocks: only close() takes it exclusively, under the state lock we hold.
    if (flock_retry(users_.get(), LOCK_SH) != 0) throw record_error("cannot lock the wine prefix: " + errno_text());
    ensure_running_locked();
    add_open(this);
}

prefix_server::prefix_server(prefix_server&& other) noexcept
    : prefix_(std::move(other.prefix_)),
      wineserver_(std::move(other.wineserver_)),
      users_(std::move(other.users_)),
      state_(std::move(other.state_)),
      session_(std::move(other.session_)),
      started_(other.started_) {
    remove_open(&other);
    if (users_) add_open(this);
}

prefix_server::~prefix_server() {
    try {
        close();
    } catch (...) {
    }
}

void prefix_server::ensure_running() {
    if (!state_) return;
    state_lock decide(state_.get());
    ensure_running_locked();
}

// A record whose server is gone (a render-one killed outright, a server
// stopped by hand) is dropped, so that a server started later by someone
// else is never taken for ours.
void prefix_server::ensure_running_locked() {
    const pid_t recorded = recorded_pid(state_.get());
    pid_t pid = server_pid(prefix_);
    if (pid != 0) {
        if (recorded != 0 && recorded != pid) record_pid(state_.get(), 0);
        return;
    }
    if (recorded != 0) record_pid(state_.get(), 0);
    const run_result r = run_quiet({wineserver_, "-p"}, worker_environment(prefix_), 30);
    // 2: a server started meanwhile by a wine run outside render-one.
    if (r.exit_code == 2) return;
    if (r.exit_code != 0)
        throw record_error("the wineserver of " + prefix_ + " did not start (" +
                           (r.timed_out ? "no answer in 30 s" : "exit " + std::to_string(r.exit_code)) + ")");
    // A server whose lock we cannot see (a file system without locks, where
    // wine falls back to its socket; another pid namespace) is used, not
    // recorded: it could not be stopped safely.
    if ((pid = server_pid(prefix_)) <= 0) return;
    record_pid(state_.get(), pid);
    started_ = true;
}

// As `wineserver -k` does it (SIGINT to the lock's owner: the server kills
// every wine process of the prefix, saves the registry and exits; SIGKILL
// if it has not after 10 s), and then waits as `wineserver -w` does, until
// the lock is free, which it is once the server has exited. Looked at every
// 5 ms where -k sleeps a second, and only for this server: one that a wine
// run outside render-one starts meanwhile is not waited for.
void prefix_server::stop_server(pid_t pid) {
    ::kill(pid, SIGINT);
    ::kill(pid, SIGCONT);
    for (const deadline until(10); server_pid(prefix_) == pid && until.seconds_left() > 0;) sleep_ms(5);
    if (server_pid(prefix_) == pid) {
        ::kill(pid, SIGKILL);
        for (const deadline until(5); server_pid(prefix_) == pid && until.seconds_left() > 0;) sleep_ms(5);
    }
    if (server_pid(prefix_) == pid)
        throw record_error("the wineserver of " + prefix_ + " (pid " + std::to_string(pid) + ") did not stop");
}

// Under the state lock no one starts or leaves, so an exclusive users lock
// got then means no other holder. A failed conversion may drop our shared
// lock (flock(2) converts by unlocking first): it is taken again.
bool prefix_server::alone_locked() {
    bool alone = ::flock(users_.get(), LOCK_EX | LOCK_NB) == 0;
    if (flock_retry(users_.get(), LOCK_SH) != 0) throw record_error("cannot lock the wine prefix: " + errno_text());
    // A worker's supervisor holds the prefix too (it keeps the server up
    // across its workers): that is still this render-one alone.
    if (!alone) {
        const std::vector<pid_t> pids = flock_holders(users_.get());
        alone = !pids.empty() && std::all_of(pids.begin(), pids.end(), [](pid_t p) {
            return p == ::getpid() || p == ::getppid();
        });
    }
    const pid_t recorded = recorded_pid(state_.get());
    return alone && recorded != 0 && server_pid(prefix_) == recorded;
}

bool prefix_server::session_noted() {
    if (!state_ || !session_) return false;
    state_lock decide(state_.get());
    const std::string now = server_identity(server_pid(prefix_));
    char buf[64] = {};
    const ssize_t n = ::pread(session_.get(), buf, sizeof buf - 1, 0);
    return !now.empty() && n > 0 && std::string(buf, static_cast<std::size_t>(n)) == now + "\n";
}

void prefix_server::note_session() {
    if (!state_ || !session_) return;
    state_lock decide(state_.get());
    const std::string now = server_identity(server_pid(prefix_));
    const std::string text = now.empty() ? "" : now + "\n";
    if (::ftruncate(session_.get(), 0) != 0 ||
        (!text.empty() && ::pwrite(session_.get(), text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())))
        throw record_error("cannot write the wine prefix's state: " + errno_text());
}

bool prefix_server::alone() {
    if (!state_) return false;
    state_lock decide(state_.get());
    return alone_locked();
}

bool prefix_server::restart_alone() {
    if (!state_) return false;
    state_lock decide(state_.get());
    if (!alone_locked()) return false;
    stop_server(recorded_pid(state_.get()));
    record_pid(state_.get(), 0);
    ensure_running_locked();
    return true;
}

// Under the state lock no one starts or leaves, so an exclusive users lock
// got now means no other holder. A failed conversion may drop our shared
// lock (flock(2) converts by unlocking first): we are leaving anyway.
void prefix_server::close() {
    if (!users_) return;
    remove_open(this);
    const unique_fd state = std::move(state_);  // closed last, once its lock is released
    state_lock decide(state.get());
    const unique_fd users = std::move(users_);  // closed before the state lock is released
    // Unlocked, not only closed: a forked child holding a copy of the
    // descriptor would otherwise keep the lock until it ends.
    struct unlock {
        int fd;
        ~unlock() { ::flock(fd, LOCK_UN); }
    } unlock_users{users.get()};
    if (::flock(users.get(), LOCK_EX | LOCK_NB) != 0) return;
    const pid_t recorded = recorded_pid(state.get());
    if (recorded == 0) return;
    if (server_pid(prefix_) == recorded) stop_server(recorded);
    record_pid(state.get(), 0);
}

void prefix_server::forget() noexcept {
    if (!users_) return;
    remove_open(this);
    // Released, not closed: a worker closes every descriptor it inherited
    // as it starts, and the numbers may name its own files by now.
    users_.release();
    state_.release();
    session_.release();
}

const volatile sig_atomic_t* open_prefix_servers() noexcept { return &g_open_count; }

void close_all_prefix_servers() noexcept {
    std::vector<prefix_server*> open;
    {
        std::lock_guard lock(g_open_mutex);
        open = g_open;
    }
    for (prefix_server* p : open) {
        try {
            p->close();
        } catch (...) {
        }
    }
}

}  // namespace vr::wine
