// SPDX-License-Identifier: GPL-3.0-or-later
// What the unit tests of lib/supervise share (supervise_test.cpp,
// supervise_limits_test.cpp): a worker whose handler does what each job's
// "do" field says, standing in for render-one's plugin code, and a job.
#pragma once
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/tool.hpp"
#include "supervise/interrupts.hpp"
#include "supervise/stale_temps.hpp"
#include "supervise/supervise.hpp"
#include "supervise/supervise_status.hpp"

namespace supervise_test {

namespace fs = std::filesystem;

// Dies of sig as a plugin would, even under AddressSanitizer (which would
// catch SIGSEGV and exit 1; render-one turns that off, lib/host/sanitizer_options.cpp).
[[noreturn]] inline void die_of(int sig) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    std::abort();
}

// A worker whose handler does what each job's "do" field says (the job is
// sent as its record: the worker is sent the job alone). "sleep" is
// a slow plugin load (before ready), "sleep-render" a slow render,
// "hang-load" a load that never ends.
inline vr::worker_main fake_worker(const std::string& flag_file = "") {
    return [flag_file](int fd) {
        return vr::serve_jobs(fd, [&](const vr::json& job, vr::json&& record, const vr::rendering_callback& rendering) {
            std::string what = job.value("do", "");
            if (what == "sleep") std::this_thread::sleep_for(std::chrono::milliseconds(600));
            // A load that never ends (once, with the flag file: a race that
            // a second load wins).
            if (what == "hang-load" || (what == "hang-load-once" && !fs::exists(flag_file))) {
                if (what == "hang-load-once") std::ofstream(flag_file) << "hung once\n";
                std::signal(SIGTERM, SIG_IGN);
                for (;;) ::pause();
            }
            rendering(job.value("audio_s", 0.1));
            if (what == "sleep-render") std::this_thread::sleep_for(std::chrono::milliseconds(600));
            if (what == "segv") die_of(SIGSEGV);
            if (what == "segv-writing") {  // dies with its temporary half written
                std::ofstream(job.value("temp", "")) << "half";
                die_of(SIGSEGV);
            }
            if (what == "abort") die_of(SIGABRT);
            // The plugin's own SIGTERM or SIGINT, through the worker's handler.
            if (what == "raise-term") std::raise(SIGTERM);
            if (what == "raise-int") std::raise(SIGINT);
            if (what == "exit") std::exit(3);
            if (what == "hang") {
                std::signal(SIGTERM, SIG_IGN);
                for (;;) ::pause();
            }
            if (what == "crash-once" && !fs::exists(flag_file)) {
                std::ofstream(flag_file) << "crashed once\n";
                die_of(SIGSEGV);
            }
            vr::worker_result r;
            r.crashed = what == "child-crash";
            record["status"] = r.crashed ? "error" : "ok";
            record["pid"] = ::getpid();
            record["pgid"] = ::getpgrp();
            record["stdin_is_null"] = [] {
                struct stat a {}, b {};
                return ::fstat(0, &a) == 0 && ::stat("/dev/null", &b) == 0 && a.st_rdev == b.st_rdev;
            }();
            record["fd_above_3_open"] = ::fcntl(4, F_GETFD) >= 0;
            r.record = std::move(record);
            return r;
        });
    };
}

inline vr::supervised_job job(vr::json record, const std::string& out = "/nonexistent/x.wav") {
    vr::json sent = record;
    return {std::move(record), std::move(sent), out, "", {"plugin", 48000, 512}};
}

inline bool alive(pid_t pid) { return ::kill(pid, 0) == 0; }

}  // namespace supervise_test
