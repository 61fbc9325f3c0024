// SPDX-License-Identifier: GPL-3.0-or-later
#include "worker/render_host.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/handles.hpp"
#include "core/process.hpp"
#include "core/tool.hpp"
#include "host/plugin_instance.hpp"
#include "linux/child_heap.hpp"
#include "linux/child.hpp"
#include "plugins/plugin_file.hpp"
#include "plugins/provenance.hpp"
#include "supervise/supervise.hpp"
#include "warm/warm.hpp"
#include "warm/warm_serve.hpp"
#include "wine/windows_host.hpp"

namespace vr::host {

namespace {

// A warm render-one's runtime and worker, made by its warm-up and used by
// every session forked from it.
bool g_warming = false;     // this process is becoming a warm render-one
bool g_in_session = false;  // this process runs a session of one
std::unique_ptr<juce_runtime> g_warm_juce;
std::unique_ptr<render_worker> g_warm;

// A session made ahead makes its worker ahead too: a fork with the warm
// worker in it that waits on start for the session's arguments and
// descriptors, then serves the session's supervisor on jobs; its run
// over, it may serve the session's next one (serve_runs).
struct worker_ahead {
    pid_t pid = 0;
    int start = -1;
    bool owes_ready = false;  // kept: says 'r' once its new instances are made
};
worker_ahead g_ahead;  // the session's, for its next run
worker_ahead g_kept;   // kept at the end of the session's last run

// What a fork of the warm render-one and its exit cost, measured once in
// it. A new worker costs that and as much again in the copies of the
// pages its job writes (bench/fork_floor.cpp measured 2.44 ms a fork and
// exit, 4.78 ms with a short job's writes, here), and the slots' load
// times it is weighed against are the warm render-one's first refill,
// which took Nekobi 3-7 ms against 2.5 ms for a kept worker's later ones:
// a worker whose next never-played instances took more than four times
// this ends after its run instead, and the session forks another. (60
// warm Nekobi jobs through make -j2: 1.13 s kept against 1.20 s not;
// amsynth's instance, 40 ms, is never worth it.)
double g_fork_s = 0;

// The threads of this process (/proc/self/task's entries).
int thread_count() {
    std::error_code ec;
    int n = 0;
    for (std::filesystem::directory_iterator d("/proc/self/task", ec), end; !ec && d != end; d.increment(ec)) ++n;
    return n;
}

void write_text(const std::string& path, const char* text) {
    write_file_atomic(path, {reinterpret_cast<const std::uint8_t*>(text), std::strlen(text)});
}

// The least of three forks of this process and their exits, timed.
double fork_and_exit_s() {
    double least = 0;
    for (int i = 0; i < 3; ++i) {
        const auto start = std::chrono::steady_clock::now();
        const pid_t pid = ::fork();
        if (pid == 0) ::_exit(0);
        if (pid < 0) return 0;
        reap_child(pid);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        least = i == 0 ? s : std::min(least, s);
    }
    return least;
}

// The worker made ahead, given its session's arguments: a render-one's
// worker for them, as the session's supervisor would have forked it.
int serve_as_worker(std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    cli cli("[< jobs]", "");
    declare_render_options(cli);
    if (!cli.parse(static_cast<int>(args.size()), argv.data())) return 0;
    render_options options = read_render_options(cli);
    options.warm_session = true;
    set_plugin_environment(options);
    return serve_worker([&](const auto& use) { return with_render_host(options, use); }, 3);
}

// Whether the worker made ahead serves its session's next run: when a
// never-played instance for each slot that played costs less than a new
// worker, or as VR_WARM_KEEP_WORKER says (always, never), which tests set:
// the bytes are the same either way.
bool keep_worker_after_run() {
    const char* how = std::getenv("VR_WARM_KEEP_WORKER");
    if (how && std::strcmp(how, "always") == 0) return true;
    if (how && std::strcmp(how, "never") == 0) return false;
    return g_warm->refill_cost_s() <= 4 * g_fork_s;
}

// The worker made ahead: serves each run its session gives it on start
// (the caller's standard error, working folder and the jobs' socket come
// with the arguments). A run over (the supervisor closed the jobs' socket,
// keeping this worker), it gives each slot that played a never-played
// instance again, as the warm render-one did before its first session
// (render_worker::refill) and waits for the next run (it says 'k' as it
// stays, and 'r' when its instances are made); unless
// that costs more than a new worker would (keep_worker_after_run), or the
// run failed: then it ends, and the session forks another. Each run's
// first job thus renders on a never-played instance, as a fresh worker's.
int serve_runs(int start) {
    for (bool first = true;; first = false) {
        int fds[3];
        std::vector<std::string> args = take_warm_request(start, fds);
        if (args.empty()) return 0;
        ::dup2(fds[0], 1);
        ::dup2(fds[0], 2);
        const bool there = ::fchdir(fds[1]) == 0;
        ::close(fds[0]);
        ::close(fds[1]);
        if (!there) return 3;
        if (char* here = ::getcwd(nullptr, 0)) {
            ::setenv("PWD", here, 1);
            std::free(here);
        }
        if (first) {
            // Nothing of the session's beyond start and the jobs' socket.
            arrange_worker_fds(fds[2], start);
        } else {
            ::dup2(fds[2], 3);
            ::close(fds[2]);
        }
        int code = 70;
        try {
            code = serve_as_worker(args);
        } catch (...) {
            return code;
        }
        std::fflush(nullptr);
        if (code != 0 || !g_warm || !keep_worker_after_run()) return code;
        if (::send(start, "k", 1, MSG_NOSIGNAL) != 1) return 0;  // kept: the session goes on
        ::close(3);
        const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
        for (int i = 1; i < 3 && null >= 0; ++i) ::dup2(null, i);
        if (null > 2) ::close(null);
        if (::chdir("/") == 0) ::setenv("PWD", "/", 1);
        try {
            g_warm->refill();
        } catch (...) {
            return 70;
        }
        if (::send(start, "r", 1, MSG_NOSIGNAL) != 1) return 0;
    }
}

// What the worker made ahead says on start: a byte, or 0 when it is gone.
char said_by(const worker_ahead& w) {
    char said = 0;
    ssize_t n;
    while ((n = ::read(w.start, &said, 1)) < 0 && errno == EINTR) {
    }
    return n == 1 ? said : 0;
}

// Kills and reaps the worker made ahead and forgets it.
void end_worker(worker_ahead& w) {
    ::kill(w.pid, SIGKILL);
    reap_child(w.pid);
    ::close(w.start);
    w = {};
}

// warm_sessions::prepare: the worker for the session's next run. The last
// run's, when its supervisor kept it and it says it stays; else
// a new one, made here (g_ahead). Its own process group and killed with
// the session, as a supervisor's fork is; the caller's standard error is
// its 1 and 2, and the caller's folder its. The session and its worker
// allocate from heaps of their own (as a job's forked child does,
// linux/child_heap.hpp): every first write to a page they share with the
// warm render-one is a copy on a caller's time.
void make_worker_ahead() {
    enter_child_heap();
    if (g_ahead.pid) {  // the last run's: kept, or gone (reap_left_workers)
        if (take_kept_worker() == g_ahead.pid)
            g_kept = g_ahead;
        else
            ::close(g_ahead.start);
        g_ahead = {};
    }
    if (g_kept.pid) {
        // It says at once whether it stays ('k'), and 'r' once it has
        // made its new instances (awaited when the next run starts).
        if (said_by(g_kept) == 'k') {
            g_ahead = std::exchange(g_kept, {});
            g_ahead.owes_ready = true;
            return;
        }
        end_worker(g_kept);
    }
    int start[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, start) != 0) return;
    const pid_t parent = ::getpid();
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(72);
        ::close(start[0]);
        g_in_session = true;
        int code = 70;
        try {
            code = serve_runs(start[1]);
        } catch (...) {
        }
        std::fflush(nullptr);
        ::_exit(code);
    }
    ::close(start[1]);
    if (pid < 0) {
        ::close(start[0]);
        return;
    }
    g_ahead = {pid, start[0]};
}

// In a session: its worker made ahead gets the run's arguments, the
// caller's standard error and folder and a new jobs' socket, and is
// offered to the run's supervisor (unused, it is killed at the run's end).
void start_worker_ahead(int argc, char** argv) {
    if (g_ahead.pid && g_ahead.owes_ready && said_by(g_ahead) != 'r') end_worker(g_ahead);
    if (!g_ahead.pid) return;
    unique_fd here(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    int jobs[2];
    if (here && ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, jobs) == 0) {
        const int fds[] = {2, here.get(), jobs[1]};
        const bool sent = send_warm_request(g_ahead.start, std::vector<std::string>(argv, argv + argc), fds);
        ::close(jobs[1]);
        if (sent) return offer_worker(g_ahead.pid, jobs[0]);
        ::close(jobs[0]);
    }
    end_worker(g_ahead);
}

}  // namespace

worker_result render_with(render_worker& worker, const render_job& job, json&& record,
                          const rendering_callback& rendering) {
    worker_result out;
    try {
        worker.run(job, record, rendering);
    } catch (const child_failed& e) {
        set_error(record, e.what());
        if (auto sig = e.signal(); !sig.empty()) record["error"]["signal"] = sig;
        out.crashed = e.crashed();
    } catch (const host_died& e) {
        set_error(record, e.what());
        if (!e.signal.empty()) record["error"]["signal"] = e.signal;
        out.crashed = true;
    } catch (const record_error& e) {
        set_error(record, e.what());
    } catch (const std::filesystem::filesystem_error& e) {
        set_error(record, e.what());
    }
    out.record = std::move(record);
    return out;
}

void set_plugin_environment(const render_options& options) {
    if (!std::getenv("QT_QPA_PLATFORM")) ::setenv("QT_QPA_PLATFORM", "offscreen", 1);
    if (options.plugin_home) use_plugin_home(*options.plugin_home);
}

int with_render_host(const render_options& options, const renderer_use& use) {
    auto rendering_with = [&](render_worker& worker) {
        return use(
            [&](const render_job& job, json&& record, const rendering_callback& rendering) {
                return render_with(worker, job, std::move(record), rendering);
            },
            worker.pictures());
    };
    if (g_warming && !g_warm) {
        g_warm_juce = std::make_unique<juce_runtime>();
        g_warm = std::make_unique<render_worker>(options.worker);
    }
    if (g_warm) {
        g_warm->set_run_options(options.worker);
        return rendering_with(*g_warm);
    }
    int code;
    {
        juce_runtime juce;
        render_worker worker(options.worker);
        code = rendering_with(worker);
    }
    wine::end_windows();
    return code;
}

bool in_warm_session() noexcept { return g_in_session; }

std::optional<std::string> take_warm_command(int& argc, char** argv) {
    if (argc < 3 || std::strcmp(argv[argc - 2], warm_marker) != 0) return std::nullopt;
    std::string socket = argv[argc - 1];
    argc -= 2;
    argv[argc] = nullptr;
    return socket;
}

int serve_as_warm(int argc, char** argv, const std::string& socket, int (*run)(int, char**)) {
    const std::string base = socket.substr(0, socket.size() - std::strlen(".sock"));
    warm_lock lock(base + ".lock");
    if (!lock.held()) return 0;
    cli cli("[< jobs]", "");
    declare_render_options(cli);
    if (!cli.parse(argc, argv)) return 0;
    render_options options = read_render_options(cli);
    set_plugin_environment(options);
    const double idle_s = options.warm_s;
    // One job of the caller's kind, rendered here (the plugin loaded,
    // warmed and probed, the probe cache read and written), to a file of
    // the folder's that goes again at once.
    options.mode = render_mode::single;
    options.output_path = base + ".warm-up.wav";
    options.isolate = false;
    options.skip_existing = options.sidecar = false;
    options.worker.one_job = true;
    options.worker.save_state_path.clear();
    options.worker.save_preset_path.clear();
    g_warming = true;
    // Said before the warm-up, which may crash or hang this process: no
    // render-one starts another for this key (each renders itself).
    const std::string failed = base + ".failed";
    write_text(failed, "the warm-up job did not finish\n");
    unique_fd null(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    record_writer out(null.get());
    int code = 3;
    try {
        code = render_jobs(options, [&](const auto& use) { return with_render_host(options, use); }, out);
    } catch (const std::exception&) {
    }
    ::unlink(options.output_path.c_str());
    if (code != 0 || !g_warm) return code;
    // A session is a fork of this process, which has none of the threads a
    // plugin started here (JUCE's message thread in a JUCE plugin): such a
    // plugin is not kept warm, as a batch never forks its instances.
    if (thread_count() > 1) {
        write_text(failed, "the plugin runs threads of its own, which a forked session lacks\n");
        return 0;
    }
    ::unlink(failed.c_str());
    g_warm->refill();
    g_fork_s = fork_and_exit_s();
    // Each session goes to its caller's folder; this process holds none.
    if (::chdir("/") != 0) return 3;
    warm_sessions sessions;
    sessions.run = [run](int n, char** args) {
        g_in_session = true;
        start_worker_ahead(n, args);
        return run_tool("render-one", n, args, run);
    };
    sessions.prepare = make_worker_ahead;
    // One waiting for each caller a make -j as wide as the machine runs.
    sessions.ahead = static_cast<std::size_t>(std::clamp(::sysconf(_SC_NPROCESSORS_ONLN), 1L, 8L));
    return serve_warm(socket, idle_s, sessions);
}

}  // namespace vr::host
