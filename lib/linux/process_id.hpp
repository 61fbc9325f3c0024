// SPDX-License-Identifier: GPL-3.0-or-later
// The calling process's id without a system call at each ask, for what a
// plugin's waits and a rest's checks ask of it each time (linux/
// wait_notes.cpp, linux/task_files.cpp: is this note, this list of
// threads, the process's own or a forked parent's copy?). glibc asks the
// kernel at every getpid; those asks were most of a pinned job's extra
// system calls (bench/README.md, What pinning costs: a Linux one-off's
// getpid +66, a batch's +16 a job).
//
// The id is kept in a page the kernel gives a forked child zeroed
// (MADV_WIPEONFORK, Linux 4.14): a child reads 0 there and asks the
// kernel once, however it was forked (glibc's fork, _Fork, a plugin's raw
// clone), which pthread_atfork would not see. A child that shares its
// parent's memory (vfork, CLONE_VM) reads its parent's id until it execs,
// as it runs nothing of ours. Where the page cannot be had (an older
// kernel), every ask is the system call, as before. Raw memory only,
// nothing allocated, no lock: safe in a signal handler and in the
// interposed waits. No JUCE here.
#pragma once
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <new>

namespace vr::host {

namespace process_id_detail {

// The page (nullptr: not made yet; the address 1: cannot be made).
inline std::atomic<std::atomic<long>*> g_page{nullptr};
inline std::atomic<long>* const no_page = reinterpret_cast<std::atomic<long>*>(1);

inline std::atomic<long>* page() noexcept {
    std::atomic<long>* p = g_page.load(std::memory_order_acquire);
    if (p) return p;
    const int saved_errno = errno;
    const auto size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    void* made = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    std::atomic<long>* mine = no_page;
    if (made != MAP_FAILED) {
        if (::madvise(made, size, MADV_WIPEONFORK) == 0)
            mine = new (made) std::atomic<long>(0);
        else
            ::munmap(made, size);
    }
    std::atomic<long>* expected = nullptr;
    if (!g_page.compare_exchange_strong(expected, mine, std::memory_order_acq_rel)) {
        if (mine != no_page) ::munmap(static_cast<void*>(mine), size);
        mine = expected;  // another thread's, made first
    }
    errno = saved_errno;
    return mine;
}

}  // namespace process_id_detail

// The calling process's id (errno untouched).
inline long current_pid() noexcept {
    std::atomic<long>* p = process_id_detail::page();
    if (p == process_id_detail::no_page) return ::syscall(SYS_getpid);
    long pid = p->load(std::memory_order_relaxed);
    if (pid == 0) {
        pid = ::syscall(SYS_getpid);
        p->store(pid, std::memory_order_relaxed);
    }
    return pid;
}

}  // namespace vr::host
