// SPDX-License-Identifier: GPL-3.0-or-later
// What the thread_rest tests watch of a thread of theirs: work that keeps a
// CPU busy, where /proc says a thread waits and how often it ran, a
// bounded wait for a condition, and a thread that works when told.
#pragma once

#include <sys/syscall.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace vr::test {

// Work that takes a while on a CPU (no sleep, no lock), well under the
// wait's 50 ms of CPU time: two million steps of a generator the compiler
// cannot drop.
inline unsigned work() {
    unsigned x = 1;
    for (int i = 0; i < 2'000'000; ++i) x = x * 1664525u + 1013904223u;
    return x;
}

// A thread of this process, by its id: where /proc says it waits, and how
// many times it was put on a CPU.
inline std::string task_file(long tid, const char* name) {
    std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/" + name);
    std::string text;
    std::getline(in, text);
    return text;
}

inline long blocked_in(long tid) {
    const std::string call = task_file(tid, "syscall");
    return call.empty() || call == "running" ? -1 : std::strtol(call.c_str(), nullptr, 10);
}

// glibc's nanosleep is the clock_nanosleep system call.
inline bool sleeping(long tid) {
    const long call = blocked_in(tid);
    return call == SYS_nanosleep || call == SYS_clock_nanosleep;
}

inline long runs_of(long tid) {
    const std::string sched = task_file(tid, "schedstat");
    char* at = const_cast<char*>(sched.c_str());
    std::strtol(at, &at, 10);
    std::strtol(at, &at, 10);
    return std::strtol(at, nullptr, 10);
}

// Until f() (at most 10 s: a broken wait fails, it does not hang).
template <typename F>
bool until(F&& f) {
    for (int i = 0; i < 1'000'000; ++i) {
        if (f()) return true;
        std::this_thread::yield();
    }
    return false;
}

// A thread that notes its id, waits until start(), does its work, then
// waits until it is destroyed (never started: it starts, then quits).
struct gated_thread {
    std::mutex m;
    std::condition_variable cv;
    bool go = false, quit = false;
    std::atomic<long> tid{0};
    std::thread t;
    explicit gated_thread(std::function<void()> work)
        : t([this, work = std::move(work)] {
              tid = ::syscall(SYS_gettid);
              std::unique_lock lock(m);
              cv.wait(lock, [this] { return go; });
              lock.unlock();
              work();
              lock.lock();
              cv.wait(lock, [this] { return quit; });
          }) {}
    void start() {
        {
            std::lock_guard lock(m);
            go = true;
        }
        cv.notify_all();
    }
    ~gated_thread() {
        if (!go) start();
        {
            std::lock_guard lock(m);
            quit = true;
        }
        cv.notify_all();
        t.join();
    }
};

}  // namespace vr::test
