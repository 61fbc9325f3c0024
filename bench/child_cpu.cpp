// SPDX-License-Identifier: GPL-3.0-or-later
// child-cpu FILE COMMAND [ARGS...]: runs COMMAND and writes to FILE the CPU
// time it and the descendants it waited for used, to the microsecond, and
// the page faults they took that read no file (a fresh page: the kernel
// zeroes it, 1.2 to 1.7 us each on the 2-core VM):
//   USER_S SYS_S MINOR_FAULTS
// (wait4's rusage). bash's `times` says the time to the millisecond, too
// coarse for a one-off's difference of a tenth of a millisecond (bench/
// pinning), and no faults; a count of faults moves far less from run to
// run than a time does. Exits with COMMAND's status (128 + the signal that ended it);
// 2 on a usage error, 127 when COMMAND cannot be run.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: child-cpu FILE COMMAND [ARGS...]\n");
        return 2;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        std::perror("child-cpu: fork");
        return 127;
    }
    if (pid == 0) {
        ::execvp(argv[2], argv + 2);
        std::perror("child-cpu: exec");
        ::_exit(127);
    }
    int status = 0;
    rusage used{};
    if (::wait4(pid, &status, 0, &used) != pid) {
        std::perror("child-cpu: wait4");
        return 127;
    }
    if (std::FILE* out = std::fopen(argv[1], "w")) {
        std::fprintf(out, "%ld.%06ld %ld.%06ld %ld\n", static_cast<long>(used.ru_utime.tv_sec),
                     static_cast<long>(used.ru_utime.tv_usec), static_cast<long>(used.ru_stime.tv_sec),
                     static_cast<long>(used.ru_stime.tv_usec), static_cast<long>(used.ru_minflt));
        std::fclose(out);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
