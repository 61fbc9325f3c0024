// SPDX-License-Identifier: GPL-3.0-or-later
// An LD_PRELOAD library for tests/reliability.bats that stops a batch at an
// exact point, however fast or slow the machine: of the renames that put a
// file whose name begins with $VR_HOLD_NAME in place (an output of the
// batch), counted across processes in the file $VR_HOLD_COUNTER, the first
// $VR_HOLD_AFTER go through. Every later one is held before it happens, its
// temporary file written, until the process is killed: the batch stands
// still mid-job with exactly that many outputs. The first rename held writes
// "held" to $VR_HOLD_FIFO, which is how the test knows.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static void die(const char* what) {
    fprintf(stderr, "reliability_hold: %s: %s\n", what, strerror(errno));
    abort();
}

static long read_count(int fd) {
    char text[32] = {0};
    if (pread(fd, text, sizeof text - 1, 0) < 0) die("cannot read the counter");
    return atol(text);
}

static void write_count(int fd, long n) {
    char text[32];
    int len = snprintf(text, sizeof text, "%ld\n", n);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)len, 0) != len) die("cannot write the counter");
}

// Whether a rename onto `to` puts an output in place.
static int is_output(const char* to) {
    const char* name = getenv("VR_HOLD_NAME");
    const char* base = strrchr(to, '/');
    base = base ? base + 1 : to;
    return name && getenv("VR_HOLD_COUNTER") && strncmp(base, name, strlen(name)) == 0;
}

// For a rename onto an output: the counter file, locked, when the rename
// may go ahead; when it may not, this never returns.
static int admit(void) {
    int fd = open(getenv("VR_HOLD_COUNTER"), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) die("cannot open the counter");
    while (flock(fd, LOCK_EX) != 0)
        if (errno != EINTR) die("cannot lock the counter");
    long n = read_count(fd);
    const char* after = getenv("VR_HOLD_AFTER");
    long limit = after ? atol(after) : 0;
    if (n < limit) return fd;
    // Held ones count too, so that the first is told from the others.
    write_count(fd, n + 1);
    close(fd);
    const char* fifo = getenv("VR_HOLD_FIFO");
    if (n == limit && fifo) {
        int out = open(fifo, O_WRONLY | O_CLOEXEC);
        if (out < 0 || write(out, "held\n", 5) != 5) die("cannot write the FIFO");
        close(out);
    }
    for (;;) pause();
}

// Counts the rename just done under the lock, when it worked, and unlocks.
static int settle(int fd, int result) {
    int saved = errno;
    if (result == 0) write_count(fd, read_count(fd) + 1);
    close(fd);
    errno = saved;
    return result;
}

int rename(const char* from, const char* to) {
    static int (*real)(const char*, const char*);
    if (!real) real = (int (*)(const char*, const char*))dlsym(RTLD_NEXT, "rename");
    if (!is_output(to)) return real(from, to);
    int fd = admit();
    return settle(fd, real(from, to));
}

int renameat(int from_dir, const char* from, int to_dir, const char* to) {
    static int (*real)(int, const char*, int, const char*);
    if (!real) real = (int (*)(int, const char*, int, const char*))dlsym(RTLD_NEXT, "renameat");
    if (!is_output(to)) return real(from_dir, from, to_dir, to);
    int fd = admit();
    return settle(fd, real(from_dir, from, to_dir, to));
}

int renameat2(int from_dir, const char* from, int to_dir, const char* to, unsigned flags) {
    static int (*real)(int, const char*, int, const char*, unsigned);
    if (!real) real = (int (*)(int, const char*, int, const char*, unsigned))dlsym(RTLD_NEXT, "renameat2");
    if (!is_output(to)) return real(from_dir, from, to_dir, to, flags);
    int fd = admit();
    return settle(fd, real(from_dir, from, to_dir, to, flags));
}
