// SPDX-License-Identifier: GPL-3.0-or-later
#include "worker/render_host.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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
#include "supervise/warm.hpp"
#include "supervise/warm_serve.hpp"
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
// worker in it that waits on start for the session's arguments, then
// serves the session's supervisor on jobs.
struct {
    pid_t pid = 0;
    int jobs = -1;
    int start = -1;
} g_ahead;

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

// warm_sessions::prepare: makes the worker made ahead (g_ahead). Its own
// process group and killed with the session, as a supervisor's fork is;
// the caller's standard error is its 1 and 2, and the caller's folder its.
// The session and its worker allocate from heaps of their own (as a job's
// forked child does, linux/child_heap.hpp): a session lives for one run,
// and every first write to a page it shares with the warm render-one is a
// copy on its caller's time.
void make_worker_ahead() {
    enter_child_heap();
    int jobs[2], start[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, jobs) != 0) return;
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, start) != 0) {
        for (int fd : jobs) ::close(fd);
        return;
    }
    const pid_t parent = ::getpid();
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(72);
        ::close(jobs[0]);
        ::close(start[0]);
        int fds[2];  // the caller's standard error and working folder
        std::vector<std::string> args = take_warm_request(start[1], fds);
        if (args.empty()) ::_exit(0);
        ::dup2(fds[0], 1);
        ::dup2(fds[0], 2);
        if (::fchdir(fds[1]) != 0) ::_exit(3);
        if (char* here = ::getcwd(nullptr, 0)) {
            ::setenv("PWD", here, 1);
            std::free(here);
        }
        arrange_worker_fds(jobs[1]);
        g_in_session = true;
        int code = 70;
        try {
            code = serve_as_worker(args);
        } catch (...) {
        }
        std::fflush(nullptr);
        ::_exit(code);
    }
    ::close(jobs[1]);
    ::close(start[1]);
    if (pid < 0) {
        ::close(jobs[0]);
        ::close(start[0]);
        return;
    }
    g_ahead = {pid, jobs[0], start[0]};
}

// In a session made ahead: its worker gets the session's arguments and is
// offered to the session's supervisor (unused, it ends with the session).
void start_worker_ahead(int argc, char** argv) {
    if (!g_ahead.pid) return;
    unique_fd here(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    const int fds[] = {2, here.get()};
    if (here && send_warm_request(g_ahead.start, std::vector<std::string>(argv, argv + argc), fds)) {
        offer_worker(g_ahead.pid, g_ahead.jobs);
    } else {
        ::kill(g_ahead.pid, SIGKILL);
        ::close(g_ahead.jobs);
    }
    ::close(g_ahead.start);
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

int with_render_host(const render_options& options, const std::function<int(const job_renderer&)>& use) {
    auto rendering_with = [&](render_worker& worker) {
        return use([&](const render_job& job, json&& record, const rendering_callback& rendering) {
            return render_with(worker, job, std::move(record), rendering);
        });
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
