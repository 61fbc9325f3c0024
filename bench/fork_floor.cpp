// SPDX-License-Identifier: GPL-3.0-or-later
// fork-floor MB PAGES FORKS [PROCESSES]: what fork isolation costs the
// kernel on this machine, with nothing of ours in it. A process holding MB
// megabytes it has written (the size of a render worker) forks FORKS
// children one after another; each child writes PAGES pages of that memory
// (as many as a job's child takes faults) and exits, and the parent waits
// for it and then writes 40 pages of its own (a worker reads the answer and
// writes a record). With PROCESSES 2, two such processes run at once (what
// `-j2` can give at best). Prints one JSON line:
//   {"mb":MB,"pages":PAGES,"processes":P,"forks":N,"wall_s":S,"ms_per_fork":M,"forks_per_s":F}
// ms_per_fork: wall seconds over each process's forks; forks_per_s: all
// processes' forks over the wall time. Exit 0; 2 on a usage error.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr std::size_t page = 4096;
constexpr std::size_t parent_pages = 40;

// One process's loop: forks children that write `pages` pages each.
void fork_loop(std::size_t megabytes, std::size_t pages, long forks) {
    const std::size_t bytes = megabytes << 20;
    std::vector<char> heap(bytes, 1);  // written: resident, and shared with each child
    const std::size_t count = bytes / page;
    for (long i = 0; i < forks; ++i) {
        pid_t pid = ::fork();
        if (pid < 0) std::exit(3);
        if (pid == 0) {
            // Pages spread over the whole heap, as a job's writes are.
            for (std::size_t k = 0; k < pages; ++k) heap[(k * 7919 % count) * page] += 1;
            ::_exit(0);
        }
        int status = 0;
        ::waitpid(pid, &status, 0);
        for (std::size_t k = 0; k < parent_pages; ++k) heap[((k + static_cast<std::size_t>(i)) * 104729 % count) * page] += 1;
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4 || argc > 5) {
        std::fprintf(stderr, "usage: fork-floor MB PAGES FORKS [PROCESSES]\n");
        return 2;
    }
    const long mb = std::atol(argv[1]), pages = std::atol(argv[2]), forks = std::atol(argv[3]);
    const long processes = argc == 5 ? std::atol(argv[4]) : 1;
    if (mb < 1 || pages < 0 || forks < 1 || processes < 1 || processes > 64) {
        std::fprintf(stderr, "fork-floor: MB, FORKS and PROCESSES are positive counts, PAGES at least 0\n");
        return 2;
    }
    const auto start = std::chrono::steady_clock::now();
    std::vector<pid_t> loops;
    for (long p = 0; p < processes; ++p) {
        pid_t pid = ::fork();
        if (pid == 0) {
            fork_loop(static_cast<std::size_t>(mb), static_cast<std::size_t>(pages), forks);
            ::_exit(0);
        }
        loops.push_back(pid);
    }
    // Each loop first writes its heap: the start-up counts against the
    // floor, a few milliseconds in seconds of forks.
    for (pid_t pid : loops) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 3;
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("{\"mb\":%ld,\"pages\":%ld,\"processes\":%ld,\"forks\":%ld,\"wall_s\":%.6f,\"ms_per_fork\":%.4f,"
                "\"forks_per_s\":%.2f}\n",
                mb, pages, processes, forks * processes, wall, wall * 1000.0 / static_cast<double>(forks),
                static_cast<double>(forks * processes) / wall);
    return 0;
}
