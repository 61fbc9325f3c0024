// SPDX-License-Identifier: GPL-3.0-or-later
#include "wine/windows_host.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <vector>

#include "core/error.hpp"
#include "core/tool.hpp"
#include "host/instance_wire.hpp"
#include "linux/pinned_randomness.hpp"
#include "supervise/interrupts.hpp"
#include "supervise/supervise_status.hpp"
#include "supervise/display.hpp"
#include "wine/prefix_server.hpp"
#include "wine/wine_paths.hpp"
#include "wine/wine_session.hpp"

namespace vr::wine {

namespace {

// What an exception code means, for the record's error.
std::string exception_name(std::uint32_t code) {
    switch (code) {
        case 0xC0000005: return "access violation";
        case 0xC0000094: return "integer division by zero";
        case 0xC00000FD: return "stack overflow";
        case 0xC000001D: return "illegal instruction";
        case 0x80000003: return "breakpoint";
        case 0xC0000409: return "stack buffer overrun";
        case 0xE06D7363: return "unhandled C++ exception";
        default: return "exception";
    }
}

std::string hex32(std::uint32_t v) {
    char out[16];
    std::snprintf(out, sizeof out, "0x%08X", v);
    return out;
}

}  // namespace

windows_host::windows_host(const std::string& prefix) : prefix_(prefix) {
    const auto wine = find_wine();
    if (!wine) throw record_error("a Windows plugin needs wine: apt-get install wine wine64");
    const std::string worker = windows_worker_path();
    wine_version_ = wine->version;
    display_ = started_display();  // what worker_environment gives it
    // The prefix's server is kept up while this process lives (started
    // here when none runs), so workers start in milliseconds.
    // Everything the child needs is made before fork: after it, only calls
    // that are safe in a child of a threaded process.
    std::vector<std::string> env_text = worker_environment(prefix);
    std::vector<char*> envp = as_envp(env_text);
    std::string arg0 = wine->wine, arg1 = worker;
    std::vector<char*> argv = {arg0.data(), arg1.data(), nullptr};
    int down[2], up[2];
    if (::pipe2(down, O_CLOEXEC) != 0) throw record_error("cannot start the Windows worker: no pipe");
    if (::pipe2(up, O_CLOEXEC) != 0) {
        ::close(down[0]);
        ::close(down[1]);
        throw record_error("cannot start the Windows worker: no pipe");
    }
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
        interrupts::not_a_worker();
        // Dies with the worker that started it, even of SIGKILL (a job's
        // --timeout): no wine process of ours outlives its render-one.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);
        ::dup2(down[0], 0);
        ::dup2(up[1], 1);
        ::close_range(3, ~0U, 0);  // nothing of ours but the pipe and stderr
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(down[0]);
    ::close(up[1]);
    if (pid_ < 0) {
        ::close(down[1]);
        ::close(up[0]);
        throw record_error("cannot start the Windows worker: fork failed");
    }
    to_ = ::fdopen(down[1], "wb");
    from_ = ::fdopen(up[0], "rb");
    send(json{{"op", "hello"}});
    greeting_ = true;
}

windows_host::~windows_host() {
    if (to_) std::fclose(to_);  // the worker sees its input end and exits
    if (from_) std::fclose(from_);
    if (pid_ > 0) {
        int status = 0;
        // A worker that does not leave at once (a plugin hanging in its
        // destructor) is not waited for.
        for (int i = 0; i < 200 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) ::usleep(10000);
        if (::waitpid(pid_, &status, WNOHANG) == 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
        }
    }
}



void windows_host::died(const std::string& why, int signal) {
    dead_ = true;
    death_ = why;
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }
    throw host_died(why, signal ? signal_name(signal) : "");
}

// The first request after each reseed carries the seed: the worker's
// plugins then draw what a Linux plugin would (windows/pinned_imports.hpp).
void windows_host::send(const json& request) {
    const std::uint64_t reseeds = host::pinned::reseeds();
    const bool tell = host::pinned::enabled() && reseeds != told_reseeds_;
    json seeded;
    if (tell) (seeded = request)["seed"] = host::pinned::current_seed();
    if (!host::write_message(to_, tell ? seeded : request)) died("the Windows worker is gone (its pipe closed)");
    if (tell) told_reseeds_ = reseeds;
}

json windows_host::answer() {
    std::optional<json> reply;
    try {
        reply = host::read_message(from_);
    } catch (const host::host_crashed& c) {
        died("the plugin crashed in the Windows worker (" + exception_name(c.code) + ", " + hex32(c.code) +
             (c.module.empty() ? std::string() : " in " + c.module) + ")");
    } catch (const fatal_error& e) {
        died(std::string("the Windows worker broke its pipe: ") + e.what());
    }
    if (!reply) {
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        // Nothing of ours sends it SIGINT or SIGTERM, nor can a Windows
        // plugin: what did is ending the run (a scheduler signals each
        // process of a task), which this worker says and dies of
        // (supervise/interrupts.hpp), rather than record the job as failed.
        if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM))
            interrupts::end_from_outside(WTERMSIG(status));
        if (WIFSIGNALED(status))
            died("the Windows worker was killed (signal " + signal_name(WTERMSIG(status)) + ")", WTERMSIG(status));
        died("the Windows worker ended (exit status " + std::to_string(WEXITSTATUS(status)) + ") before it answered");
    }
    if (auto e = reply->find("error"); e != reply->end()) {
        std::string message = e->get<std::string>();
        if (reply->value("kind", "") != "record") message = "the Windows worker failed: " + message;
        throw record_error(message);
    }
    return reply->at("ok");
}

json windows_host::call(const json& request) {
    if (dead_) throw record_error(death_);
    if (greeting_) {
        greeting_ = false;
        answer();
    }
    try {
        send(request);
    } catch (const fatal_error& e) {
        died(std::string("the Windows worker broke its pipe: ") + e.what());
    }
    return answer();
}

namespace {

// This process's prefix servers and shared hosts; the servers' map is
// made first, so that at exit the hosts go before their servers. A worker
// forked from render-one inherits render-one's entries: they are its
// parent's, forgotten here, never closed (that would take the parent's
// lock for the child's).
struct kept_server {
    pid_t owner;
    prefix_server server;
};
std::map<std::string, kept_server>& servers() {
    static std::map<std::string, kept_server> s;
    for (auto it = s.begin(); it != s.end();) {
        if (it->second.owner == ::getpid()) {
            ++it;
            continue;
        }
        it->second.server.forget();
        it = s.erase(it);
    }
    return s;
}
std::map<std::string, std::shared_ptr<windows_host>>& hosts() {
    static std::map<std::string, std::shared_ptr<windows_host>> h;
    return h;
}
// The next job's own Windows worker, per prefix, started ahead (own_host).
std::map<std::string, std::shared_ptr<windows_host>>& spares() {
    static std::map<std::string, std::shared_ptr<windows_host>> h;
    return h;
}

// The first wine program of a server's life starts the prefix's session
// (services.exe, winedevice.exe...), which lives as long as the server and
// keeps the descriptors it was given: a quiet program starts it here, so
// that none of them holds a worker's pipe or our stderr. Once per server:
// a render-one that finds the note of an earlier one skips it.
void start_session(prefix_server& server) {
    if (server.session_noted()) return;
    if (run_quiet({find_wine()->wine, "cmd", "/c", "exit"}, worker_environment(server.prefix()), 60).exit_code == 0)
        server.note_session();
}

}  // namespace

void keep_server_up(const std::string& prefix, bool say) {
    if (servers().contains(prefix)) return;
    const auto wine = find_wine();
    if (!wine) throw record_error("a Windows plugin needs wine: apt-get install wine wine64");
    // Said once per prefix and worker: which prefix and wine a run used, and
    // the one change render-one lets happen to a prefix (wine's own update
    // of one made by another wine).
    if (say) say_prefix(prefix, false);
    prefix_server& server = servers().emplace(prefix, kept_server{::getpid(), prefix_server(prefix)}).first->second.server;
    start_session(server);
}

bool prefix_session_alone(const std::string& prefix) {
    auto it = servers().find(prefix);
    return it != servers().end() && it->second.server.alone();
}

bool restart_prefix_session(const std::string& prefix) {
    auto it = servers().find(prefix);
    if (it == servers().end() || !it->second.server.restart_alone()) return false;
    hosts().erase(prefix);
    spares().erase(prefix);
    start_session(it->second.server);
    return true;
}

std::shared_ptr<windows_host> shared_host(const std::string& prefix) {
    keep_server_up(prefix);
    auto& h = hosts()[prefix];
    if (!h || !h->alive() || h->display() != started_display()) h = std::make_shared<windows_host>(prefix);
    return h;
}

std::shared_ptr<windows_host> own_host(const std::string& prefix) {
    keep_server_up(prefix);
    std::shared_ptr<windows_host> h = std::move(spares()[prefix]);
    if (!h || !h->alive() || h->display() != started_display()) h = std::make_shared<windows_host>(prefix);
    // A spare that cannot start fails no job: the next one starts its own.
    try {
        spares()[prefix] = std::make_shared<windows_host>(prefix);
    } catch (const record_error&) {
        spares().erase(prefix);
    }
    return h;
}

std::vector<std::weak_ptr<windows_host>>& kept_hosts() {
    static std::vector<std::weak_ptr<windows_host>> h;
    return h;
}

std::shared_ptr<windows_host> kept_host(const std::string& prefix) {
    keep_server_up(prefix);
    auto h = std::make_shared<windows_host>(prefix);
    std::erase_if(kept_hosts(), [](const std::weak_ptr<windows_host>& w) { return w.expired(); });
    kept_hosts().push_back(h);
    return h;
}

double shared_hosts_rss_mb() {
    double mb = 0;
    for (const auto& [prefix, host] : hosts())
        if (host && host->alive()) mb += rss_mb(host->pid());
    for (const auto& w : kept_hosts())
        if (auto host = w.lock(); host && host->alive()) mb += rss_mb(host->pid());
    return mb;
}

void end_windows() noexcept {
    spares().clear();
    kept_hosts().clear();
    hosts().clear();
    servers().clear();
    stop_display();
}

}  // namespace vr::wine
