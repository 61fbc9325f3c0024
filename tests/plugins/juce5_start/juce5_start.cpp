// SPDX-License-Identifier: GPL-3.0-or-later
// vr-test-juce5-start: a VST2 instrument in plain C++ (no JUCE) whose entry
// point starts the way a JUCE 5 plugin starts on Linux (README.md beside
// this), so that a test hears whether a load survives what render-one's
// pinned wall clock does to that start-up.
//
// JUCE 5's VST2 entry point (and its LV2 instantiate) makes the process's
// shared message thread: it launches the thread, sets its priority, signals
// the thread's start event, then polls, sleeping 1 ms at a time, until the
// thread says it is initialised. The new thread first waits on that start
// event for up to 10 s (WaitableEvent::wait: a deadline of gettimeofday
// plus 10 s, pthread_cond_timedwait on a condition of the default clock,
// CLOCK_REALTIME), and runs its loop only when the event came: a wait that
// times out ends the thread, and the entry point polls for ever. With the
// wall clock pinned to 2020 and such a deadline handed to libc as it is,
// the wait times out at once whenever the thread reaches it before the
// signal: a race, lost in some loads.
//
// Built twice (juce5_start.mk): as it is, where the scheduler decides the
// race; and with VR_START_LATE, where the entry point signals only once
// the thread has begun its wait, the interleaving that hung.
//
// Once loaded, a note-on of note n sounds a sine of n's equal-tempered
// frequency (A4 = 440 Hz) at amplitude 0.5 until its note-off, the same on
// both channels; only the last note sounds.
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/time.h>
#include <time.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <new>

#include "plain_vst2.h"

namespace {

// JUCE 5's WaitableEvent on Linux (auto-reset): a condition of the default
// clock, waited on until a deadline taken from gettimeofday.
struct waitable_event {
    pthread_cond_t condition = PTHREAD_COND_INITIALIZER;
    pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
    bool triggered = false;
    bool began_waiting = false;  // a thread has begun a timed wait on it (never reset)

    bool wait(int ms) {
        pthread_mutex_lock(&mutex);
        if (!triggered) {
            timeval now{};
            gettimeofday(&now, nullptr);
            long ns = (now.tv_usec + (ms % 1000) * 1000L) * 1000L;
            timespec until{now.tv_sec + ms / 1000 + ns / 1000000000L, ns % 1000000000L};
            began_waiting = true;
            do {
                if (pthread_cond_timedwait(&condition, &mutex, &until) == ETIMEDOUT) {
                    pthread_mutex_unlock(&mutex);
                    return false;
                }
            } while (!triggered);
        }
        triggered = false;
        pthread_mutex_unlock(&mutex);
        return true;
    }

    void signal() {
        pthread_mutex_lock(&mutex);
        triggered = true;
        pthread_cond_broadcast(&condition);
        pthread_mutex_unlock(&mutex);
    }

    bool has_begun_waiting() {
        pthread_mutex_lock(&mutex);
        const bool began = began_waiting;
        pthread_mutex_unlock(&mutex);
        return began;
    }
};

void sleep_ms(long ms) {
    const timespec t{ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, nullptr);
}

// JUCE 5's SharedMessageThread: one a process, made by the first instance,
// kept for the process's life (JUCE stops it with its last instance; this
// plugin never does, which changes nothing of its start).
struct message_thread {
    pthread_t thread{};
    waitable_event start_suspension;
    std::atomic<bool> initialised{false};

    // Thread::threadEntryPoint: run() only when the start event came.
    static void* entry(void* arg) {
        auto* self = static_cast<message_thread*>(arg);
        if (self->start_suspension.wait(10000)) self->run();
        return nullptr;
    }

    // The message loop: dispatches until told to stop, polling its queue's
    // descriptors a quarter of a second at a time (runDispatchLoopUntil
    // (250): poll, whose timeout is relative).
    void run() {
        initialised = true;
        for (;;) (void) poll(nullptr, 0, 250);
    }

    // Thread::setThreadPriority: priority 1..10 is SCHED_RR, at that share
    // of its range (refused unless the process may: as root, the new
    // thread then runs at once, which is when it reaches its wait first).
    void set_priority(int juce_priority) {
        sched_param param{};
        int policy = 0;
        if (pthread_getschedparam(thread, &policy, &param) != 0) return;
        policy = juce_priority == 0 ? SCHED_OTHER : SCHED_RR;
        const int low = sched_get_priority_min(policy), high = sched_get_priority_max(policy);
        param.sched_priority = (high - low) * juce_priority / 10 + low;
        pthread_setschedparam(thread, policy, &param);
    }

    // Thread::startThread (priority 7), then the constructor's poll.
    void start() {
        if (pthread_create(&thread, nullptr, entry, this) != 0) return;
        pthread_detach(thread);
        set_priority(7);
#ifdef VR_START_LATE
        while (!start_suspension.has_begun_waiting()) sleep_ms(1);
#endif
        start_suspension.signal();
        while (!initialised) sleep_ms(1);
    }
};

message_thread* g_message_thread = nullptr;

struct synth {
    plain_vst2 vst2;  // first: the host's AEffect* is our struct's address
    double frequency;
    double phase;
    bool on;
    int note;
};

synth& self(plain_vst2* p) { return *reinterpret_cast<synth*>(p); }

void handle_midi(plain_vst2* p, const unsigned char* m) {
    synth& s = self(p);
    const int kind = m[0] & 0xf0, note = m[1] & 0x7f;
    if (kind == 0x90 && m[2] > 0) {
        s.note = note;
        s.frequency = 440.0 * std::pow(2.0, (note - 69) / 12.0);
        s.phase = 0.0;
        s.on = true;
    } else if ((kind == 0x80 || kind == 0x90) && note == s.note) {
        s.on = false;
    } else if (kind == 0xb0 && (m[1] == 120 || m[1] == 123)) {
        s.on = false;
    }
}

void render(plain_vst2* p, float** out, int from, int to, int add) {
    synth& s = self(p);
    const double step = 2.0 * M_PI * s.frequency / 48000.0;
    for (int t = from; t < to; ++t) {
        const double y = s.on ? 0.5 * std::sin(s.phase) : 0.0;
        if (s.on) s.phase = std::fmod(s.phase + step, 2.0 * M_PI);
        for (int c = 0; c < 2; ++c) out[c][t] = add ? out[c][t] + static_cast<float>(y) : static_cast<float>(y);
    }
}

void silence(plain_vst2* p) { self(p).on = false; }

void destroy(plain_vst2* p) { delete &self(p); }

constexpr plain_vst2_info info = {
    .name = "vr-test-juce5-start",
    .product = "vr-test-juce5-start",
    .vendor = "vst-render",
    .unique_id = CCONST('V', 'r', 'J', '5'),
    .midi = handle_midi,
    .render = render,
    .silence = silence,
    .close = destroy,
};

}  // namespace

extern "C" AEffect* VSTPluginMain(audioMasterCallback host) {
    (void) host;
    if (!g_message_thread) {
        g_message_thread = new (std::nothrow) message_thread;
        if (!g_message_thread) return nullptr;
        g_message_thread->start();
    }
    auto* s = new (std::nothrow) synth{};
    if (!s) return nullptr;
    return plain_vst2_init(&s->vst2, &info);
}
