// SPDX-License-Identifier: GPL-3.0-or-later
// vr-test-hostile: a VST2 instrument in plain C that plays a sine and, on
// four notes, does what a plugin must not be able to do in render-one's
// sandbox (README.md beside this). tests/sandbox.bats points it at its
// targets through the environment and reads what happened from files it
// writes under VR_HOSTILE_REPORT (the job's output root) and from the world.
//
//   note 90  write "escaped\n" to each file of VR_HOSTILE_WRITE (':'-separated)
//   note 91  connect to 127.0.0.1:VR_HOSTILE_PORT and send "hostile\n"
//   note 92  read VR_HOSTILE_READ and copy what it read to REPORT/read.txt
//   note 93  leave a daemon: it takes an exclusive flock(2) of
//            REPORT/daemon.lock, writes its pid to REPORT/daemon.pid, and
//            VR_HOSTILE_DAEMON_DELAY_S (default 30) seconds later writes
//            "late\n" to VR_HOSTILE_DAEMON_FILE; the note-on returns once
//            it holds the lock
//   note 94  crash (SIGSEGV) in the note-on
//   note 95  hang in the note-on: write its pid to VR_HOSTILE_HANG_MARK,
//            ignore SIGTERM and sleep for ever
// (94 and 95 are for tests/warm.bats: a plugin with no thread of its own
// that fails on the job's demand.)
//
// Each attempt also writes one line to REPORT/<note>.txt: "ok" or the
// error. Every note, those four included, sounds the same sine:
// y = 0.25 * (v / 127) * sin(2 pi f t), f the note's equal-tempered pitch,
// t counted from the note-on in samples; a note-off ends it at once.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plain_vst2.h"

struct hostile {
    plain_vst2 vst2;  // first: the host's AEffect* is our struct's address
    float rate;
    int on, note;
    double amp, step;
    int64_t t;
};

// REPORT/name, or "" when VR_HOSTILE_REPORT is unset.
static void report_path(char* out, size_t size, const char* name) {
    const char* dir = getenv("VR_HOSTILE_REPORT");
    snprintf(out, size, "%s/%s", dir ? dir : "", name);
    if (!dir) out[0] = '\0';
}

static void write_text(const char* path, const char* text) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return;
    ssize_t n = write(fd, text, strlen(text));
    (void) n;
    close(fd);
}

// Appends "what: ok" or "what: <error>" to REPORT/<note>.txt.
static void report(int note, const char* what, int err) {
    char path[4096], name[32], line[4200];
    snprintf(name, sizeof name, "%d.txt", note);
    report_path(path, sizeof path, name);
    if (!path[0]) return;
    snprintf(line, sizeof line, "%s: %s\n", what, err ? strerror(err) : "ok");
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return;
    ssize_t n = write(fd, line, strlen(line));
    (void) n;
    close(fd);
}

static void try_write(void) {
    const char* list = getenv("VR_HOSTILE_WRITE");
    if (!list) return;
    char* copy = strdup(list);
    for (char *save = NULL, *path = strtok_r(copy, ":", &save); path; path = strtok_r(NULL, ":", &save)) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int err = fd < 0 ? errno : 0;
        if (fd >= 0) {
            if (write(fd, "escaped\n", 8) != 8) err = errno;
            close(fd);
        }
        report(90, path, err);
    }
    free(copy);
}

static void try_connect(void) {
    const char* port = getenv("VR_HOSTILE_PORT");
    if (!port) return;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t) atoi(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int err = fd < 0 ? errno : 0;
    if (fd >= 0 && connect(fd, (struct sockaddr*) &a, sizeof a) != 0) err = errno;
    if (fd >= 0 && !err && send(fd, "hostile\n", 8, MSG_NOSIGNAL) != 8) err = errno;
    if (fd >= 0) close(fd);
    report(91, "connect", err);
}

static void try_read(void) {
    const char* path = getenv("VR_HOSTILE_READ");
    char out[4096], text[4096] = {0};
    report_path(out, sizeof out, "read.txt");
    if (!path || !out[0]) return;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int err = fd < 0 ? errno : 0;
    if (fd >= 0) {
        ssize_t n = read(fd, text, sizeof text - 1);
        if (n < 0) err = errno;
        close(fd);
    }
    write_text(out, err ? "" : text);
    report(92, path, err);
}

// The grandchild: its own session, no descriptor of the host's (a test that
// waits for render-one's output must not wait for it too), the lock held
// until it dies.
static void be_daemon(int ready) {
    setsid();
    signal(SIGHUP, SIG_IGN);
    char lock[4096], pid_path[4096], pid_text[32];
    report_path(lock, sizeof lock, "daemon.lock");
    report_path(pid_path, sizeof pid_path, "daemon.pid");
    int fd = open(lock, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    int err = fd < 0 ? errno : flock(fd, LOCK_EX) != 0 ? errno : 0;
    if (!err) {
        snprintf(pid_text, sizeof pid_text, "%ld\n", (long) getpid());
        write_text(pid_path, pid_text);
    }
    report(93, "daemon", err);
    ssize_t n = write(ready, "r", 1);
    (void) n;
    for (int i = 0; i < 1024; ++i)
        if (i != fd) close(i);
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
    }
    const char* delay = getenv("VR_HOSTILE_DAEMON_DELAY_S");
    unsigned left = delay ? (unsigned) atoi(delay) : 30;
    while (left) left = sleep(left);
    const char* late = getenv("VR_HOSTILE_DAEMON_FILE");
    if (late) write_text(late, "late\n");
    _exit(0);
}

static void leave_daemon(void) {
    int p[2];
    if (!getenv("VR_HOSTILE_REPORT") || pipe2(p, O_CLOEXEC) != 0) return;  // no report: nothing to prove
    pid_t child = fork();
    if (child == 0) {
        close(p[0]);
        if (fork() == 0) be_daemon(p[1]);
        _exit(0);
    }
    close(p[1]);
    if (child > 0) {
        waitpid(child, NULL, 0);
        char c;
        while (read(p[0], &c, 1) < 0 && errno == EINTR) {
        }
    }
    close(p[0]);
}

static void hang(void) {
    signal(SIGTERM, SIG_IGN);
    const char* mark = getenv("VR_HOSTILE_HANG_MARK");
    if (mark) {
        char pid[32];
        snprintf(pid, sizeof pid, "%ld\n", (long) getpid());
        write_text(mark, pid);
    }
    for (;;) sleep(1);
}

static void note_on(struct hostile* s, int note, int velocity) {
    s->on = 1;
    s->note = note;
    s->t = 0;
    s->amp = 0.25 * (velocity / 127.0);
    s->step = 2.0 * M_PI * 440.0 * pow(2.0, (note - 69) / 12.0) / (double) s->rate;
    switch (note) {
        case 90: try_write(); break;
        case 91: try_connect(); break;
        case 92: try_read(); break;
        case 93: leave_daemon(); break;
        case 94: raise(SIGSEGV); break;
        case 95: hang(); break;
        case 96: raise(SIGTERM); break;
        case 97: raise(SIGINT); break;
        case 98: kill(0, SIGTERM); break;
        default: break;
    }
}

static void handle_midi(plain_vst2* p, const unsigned char* m) {
    struct hostile* s = (struct hostile*) p;
    int kind = m[0] & 0xf0;
    if (kind == 0x90 && m[2] > 0)
        note_on(s, m[1] & 0x7f, m[2] & 0x7f);
    else if ((kind == 0x80 || kind == 0x90) && (m[1] & 0x7f) == s->note)
        s->on = 0;
    else if (kind == 0xb0 && (m[1] == 120 || m[1] == 123))
        s->on = 0;
}

// Replaces what the outputs hold: no adding call is offered.
static void render(plain_vst2* p, float** out, int from, int to, int add) {
    struct hostile* s = (struct hostile*) p;
    (void) add;
    for (int i = from; i < to; ++i) {
        float y = s->on ? (float) (s->amp * sin(s->step * (double) s->t++)) : 0.0f;
        out[0][i] = out[1][i] = y;
    }
}

static void silence(plain_vst2* p) { ((struct hostile*) p)->on = 0; }

static void destroy(plain_vst2* p) { free(p); }

static const plain_vst2_info info = {
    .name = "vr-test-hostile",
    .product = "vr-test-hostile",
    .vendor = "vst-render",
    .unique_id = CCONST('V', 'r', 'H', 's'),
    .midi = handle_midi,
    .render = render,
    .silence = silence,
    .close = destroy,
};

// The sample rate; plain_vst2 the rest.
static VstIntPtr dispatch(AEffect* e, int opcode, int index, VstIntPtr value, void* ptr, float opt) {
    if (opcode != effSetSampleRate) return plain_vst2_dispatch(e, opcode, index, value, ptr, opt);
    ((struct hostile*) e)->rate = opt > 0 ? opt : 48000.0f;
    return 0;
}

AEffect* VSTPluginMain(audioMasterCallback host) {
    (void) host;
    struct hostile* s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->rate = 48000.0f;
    AEffect* e = plain_vst2_init(&s->vst2, &info);
    e->dispatcher = dispatch;
    e->process = e->processReplacing;  // not VST 1's adding call: no host here uses it
    return e;
}
