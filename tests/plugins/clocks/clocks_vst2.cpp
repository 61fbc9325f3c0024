// SPDX-License-Identifier: GPL-3.0-or-later
// vr-test-clocks: a VST2 instrument in plain C++ (no JUCE) whose notes are
// seeded from the monotonic clocks a plugin might read, and one note that
// waits on a condition nobody signals, so that a test hears whether the
// host pins the monotonic clocks inside its calls into the plugin and
// whether a wait there lasts what it should (README.md beside this).
// Over 400 lines: one plugin for both systems, each wait a note of its
// own, so that one suite a system hears every way a plugin waits.
//
// Linux, a note-on of note n (velocity v):
//   60  clock_gettime(CLOCK_MONOTONIC) at the note-on   sec * 1e9 + nsec
//   61  std::chrono::steady_clock::now() (libstdc++.so)   its nanoseconds
//   62  the birth value: clock_gettime(CLOCK_MONOTONIC) in VSTPluginMain
//   63  times(&t)                                         ret * 1000003 + utime + stime
//   64  the wait: std::condition_variable::wait_for 50 ms, unsignalled
//   65  pthread_cond_timedwait 20 ms on a CLOCK_MONOTONIC condition, unsignalled
//   66  clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME) to 20 ms on
//   67  nanosleep 20 ms
//   68  usleep 20000
//   69  pthread_cond_timedwait on a condition of the default clock
//       (CLOCK_REALTIME) until gettimeofday + 20 ms, unsignalled, as JUCE
//       5's WaitableEvent::wait waits
//   70  std::condition_variable::wait_until(system_clock::now() + 20 ms)
//       with a predicate that stays false (libstdc++ waits, then reads the
//       wall clock: it ends only once that reads the deadline)
//   71  sem_timedwait until clock_gettime(CLOCK_REALTIME) + 20 ms
// Windows (_WIN32, mingw):
//   60  QueryPerformanceCounter at the note-on            the count
//   61  GetTickCount64                                    the milliseconds
//   62  the birth value: QueryPerformanceCounter in VSTPluginMain
//   63  timeGetTime (winmm.dll)                           the milliseconds
//   64  the wait: WaitForSingleObject(event, 50), event never set, timed
//       with QueryPerformanceCounter
//   65  _ftime64_s                                        time * 1000 + millitm
//   66  all four: QueryPerformanceCounter, GetTickCount64, timeGetTime and
//       _ftime64_s read in that order, folded as FNV-1a folds words:
//       h = 0xcbf29ce484222325, then for each value h = (h ^ value) *
//       0x100000001b3 (mod 2^64)
//   67  a loop on the wall clock: WaitForSingleObject on an event never set
//       for what is left until GetSystemTimeAsFileTime + 20 ms, until
//       GetSystemTimeAsFileTime reads that deadline
//   68  std::condition_variable::wait_until(system_clock::now() + 20 ms)
//       with a predicate that stays false (libstdc++ and winpthreads, linked
//       in: pthread_cond_timedwait on a deadline of GetSystemTime*AsFileTime,
//       then ends only once system_clock::now() reads the deadline)
//   69  a waitable timer set to the absolute due time
//       GetSystemTimeAsFileTime + 20 ms, waited for with INFINITE
//   70  std::this_thread::sleep_until(system_clock::now() + 20 ms) as MSVC's
//       C++ library of Visual Studio 2015..2019 makes it: msvcp140.dll's
//       _Xtime_get_ticks and _Thrd_sleep (an absolute deadline), looked up
//       by GetProcAddress, until _Xtime_get_ticks reads the deadline
//
// Notes 60..63 (and Windows' 65, 66) sound white noise from a xorshift64*
// generator, state x = value (0x9e3779b97f4a7c15 when 0); per sample:
//   x ^= x >> 12; x ^= x << 25; x ^= x >> 27; r = x * 0x2545f4914f6cdd1d
//   y = 0.25 * (v / 127.0) * ((double) (r >> 11) * 2^-53 * 2.0 - 1.0)
// Note 64 sounds a constant: min(w, 100) / 100, w the whole milliseconds
// the clock says the wait took (0.5 for a wait of 50 ms and less than 51).
// Notes 65..71 (Linux) and 67..69 (Windows) too: min(u, 100000) / 100000,
// u the whole microseconds clock_gettime(CLOCK_MONOTONIC) (Windows:
// QueryPerformanceCounter) says the 20 ms wait took.
// The output is the sum of the sounding voices, the same on both channels;
// a note-off ends its voice at once, CC 120 and 123 end every voice.
#ifdef _WIN32
#include <windows.h>
#include <mmsystem.h>
#include <sys/timeb.h>
#else
#include <pthread.h>
#include <semaphore.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#endif

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <new>

#include "plain_vst2.h"

namespace {

constexpr int first_note = 60;
constexpr int wait_source = 4;
#ifdef _WIN32
constexpr int sources = 11;
// The short waits, 67..70.
constexpr int first_short_wait = 7, last_short_wait = 10;
#else
constexpr int sources = 12;
// The short waits, 65..71.
constexpr int first_short_wait = 5, last_short_wait = 11;
#endif

struct voice {
    bool on = false;
    std::uint64_t x = 0;
    double amp = 0.0;
    bool constant = false;  // a wait note: level, not noise
    double level = 0.0;
};

struct clocks {
    plain_vst2 vst2;  // first: the host's AEffect* is our struct's address
    std::uint64_t birth_value;
    voice voices[sources];
};

clocks& self(plain_vst2* p) { return *reinterpret_cast<clocks*>(p); }

#ifdef _WIN32
std::uint64_t performance_count() {
    LARGE_INTEGER c;
    QueryPerformanceCounter(&c);
    return static_cast<std::uint64_t>(c.QuadPart);
}

std::uint64_t ftime_ms() {
    __timeb64 t;
    if (_ftime64_s(&t) != 0) return 0;
    return static_cast<std::uint64_t>(t.time) * 1000u + t.millitm;
}

std::uint64_t draw(const clocks& s, int source) {
    switch (source) {
        case 0: return performance_count();
        case 1: return GetTickCount64();
        case 2: return s.birth_value;
        case 3: return timeGetTime();
        case 5: return ftime_ms();
        case 6: {
            const std::uint64_t values[] = {performance_count(), GetTickCount64(), timeGetTime(), ftime_ms()};
            std::uint64_t h = UINT64_C(0xcbf29ce484222325);
            for (std::uint64_t v : values) h = (h ^ v) * UINT64_C(0x100000001b3);
            return h;
        }
    }
    return 0;
}

std::uint64_t birth_value() { return performance_count(); }

// How many whole milliseconds a 50 ms wait on an event nobody sets took.
std::int64_t waited_ms() {
    HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    if (!event) return 0;
    LARGE_INTEGER f;
    QueryPerformanceFrequency(&f);
    const std::uint64_t before = performance_count();
    WaitForSingleObject(event, 50);
    const std::uint64_t after = performance_count();
    CloseHandle(event);
    return f.QuadPart > 0 ? static_cast<std::int64_t>((after - before) * 1000 / f.QuadPart) : 0;
}

// The wall clock in FILETIME's units (100 ns since 1601).
std::int64_t filetime_now() {
    FILETIME t;
    GetSystemTimeAsFileTime(&t);
    return static_cast<std::int64_t>(t.dwHighDateTime) << 32 | t.dwLowDateTime;
}

// sleep_until on system_clock as MSVC's C++ library (its ABI of 2015..2019)
// makes it, in msvcp140.dll: false when that has no such functions.
bool msvcp_sleep_until(std::int64_t wait_ticks) {
    struct xtime {
        std::int64_t sec;
        long nsec;
    };
    HMODULE msvcp = LoadLibraryW(L"msvcp140.dll");
    if (!msvcp) return false;
    const auto ticks = reinterpret_cast<long long(__cdecl*)()>(
        reinterpret_cast<void*>(GetProcAddress(msvcp, "_Xtime_get_ticks")));
    const auto sleep = reinterpret_cast<void(__cdecl*)(const xtime*)>(
        reinterpret_cast<void*>(GetProcAddress(msvcp, "_Thrd_sleep")));
    if (!ticks || !sleep) return false;
    const long long deadline = ticks() + wait_ticks;  // 100 ns since 1970
    for (long long now = ticks(); now < deadline; now = ticks()) {
        const xtime until{deadline / 10000000, static_cast<long>(deadline % 10000000 * 100)};
        sleep(&until);
    }
    return true;
}

// How many whole microseconds QueryPerformanceCounter says a wait of
// source 7..10 until 20 ms of the wall clock took (0: no msvcp140.dll).
std::int64_t short_wait_us(int source) {
    constexpr std::int64_t wait_ticks = 200000;  // 20 ms in 100 ns
    LARGE_INTEGER f;
    QueryPerformanceFrequency(&f);
    const std::uint64_t before = performance_count();
    switch (source) {
        case 7: {
            HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
            const std::int64_t deadline = filetime_now() + wait_ticks;
            for (std::int64_t now = filetime_now(); event && now < deadline; now = filetime_now())
                WaitForSingleObject(event, static_cast<DWORD>((deadline - now + 9999) / 10000));
            if (event) CloseHandle(event);
            break;
        }
        case 8: {
            std::mutex m;
            std::condition_variable c;
            std::unique_lock lock(m);
            (void) c.wait_until(lock, std::chrono::system_clock::now() + std::chrono::milliseconds(20),
                                [] { return false; });
            break;
        }
        case 9: {
            HANDLE timer = CreateWaitableTimerW(nullptr, TRUE, nullptr);
            if (!timer) break;
            LARGE_INTEGER due;
            due.QuadPart = filetime_now() + wait_ticks;
            if (SetWaitableTimer(timer, &due, 0, nullptr, nullptr, FALSE)) WaitForSingleObject(timer, INFINITE);
            CloseHandle(timer);
            break;
        }
        case 10:
            if (!msvcp_sleep_until(wait_ticks)) return 0;
            break;
    }
    const std::uint64_t after = performance_count();
    return f.QuadPart > 0 ? static_cast<std::int64_t>((after - before) * 1000000 / f.QuadPart) : 0;
}
#else
std::uint64_t monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

std::uint64_t draw(const clocks& s, int source) {
    switch (source) {
        case 0: return monotonic_ns();
        case 1: return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
        case 2: return s.birth_value;
        case 3: {
            tms t{};
            clock_t ticks = times(&t);
            return static_cast<std::uint64_t>(ticks) * 1000003u + static_cast<std::uint64_t>(t.tms_utime) +
                   static_cast<std::uint64_t>(t.tms_stime);
        }
    }
    return 0;
}

std::uint64_t birth_value() { return monotonic_ns(); }

// How many whole milliseconds steady_clock says a 50 ms wait_for on a
// condition nobody signals took (libstdc++: pthread_cond_clockwait on
// CLOCK_MONOTONIC).
std::int64_t waited_ms() {
    std::mutex m;
    std::condition_variable c;
    std::unique_lock lock(m);
    const auto before = std::chrono::steady_clock::now();
    (void) c.wait_for(lock, std::chrono::milliseconds(50));
    const auto after = std::chrono::steady_clock::now();
    return std::chrono::duration_cast<std::chrono::milliseconds>(after - before).count();
}

// How many whole microseconds CLOCK_MONOTONIC says a 20 ms wait of source
// 5..11 took.
std::int64_t short_wait_us(int source) {
    constexpr long wait_ns = 20'000'000;
    const std::uint64_t before = monotonic_ns();
    switch (source) {
        case 5: {
            pthread_condattr_t a;
            pthread_condattr_init(&a);
            pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
            pthread_cond_t c;
            pthread_cond_init(&c, &a);
            pthread_condattr_destroy(&a);
            pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
            pthread_mutex_lock(&m);
            const std::uint64_t t = before + wait_ns;
            const timespec until{static_cast<time_t>(t / 1000000000u), static_cast<long>(t % 1000000000u)};
            while (pthread_cond_timedwait(&c, &m, &until) == 0) {
            }
            pthread_mutex_unlock(&m);
            pthread_cond_destroy(&c);
            break;
        }
        case 6: {
            const std::uint64_t t = before + wait_ns;
            const timespec until{static_cast<time_t>(t / 1000000000u), static_cast<long>(t % 1000000000u)};
            while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr) != 0) {
            }
            break;
        }
        case 7: {
            const timespec length{0, wait_ns};
            nanosleep(&length, nullptr);
            break;
        }
        case 8: usleep(wait_ns / 1000); break;
        case 9: {
            pthread_cond_t c = PTHREAD_COND_INITIALIZER;
            pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
            timeval now{};
            gettimeofday(&now, nullptr);
            const long ns = now.tv_usec * 1000 + wait_ns;
            const timespec until{now.tv_sec + ns / 1000000000, ns % 1000000000};
            pthread_mutex_lock(&m);
            while (pthread_cond_timedwait(&c, &m, &until) == 0) {
            }
            pthread_mutex_unlock(&m);
            break;
        }
        case 10: {
            std::mutex m;
            std::condition_variable c;
            std::unique_lock lock(m);
            (void) c.wait_until(lock, std::chrono::system_clock::now() + std::chrono::nanoseconds(wait_ns),
                                [] { return false; });
            break;
        }
        case 11: {
            sem_t sem;
            sem_init(&sem, 0, 0);
            timespec until{};
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += wait_ns;
            if (until.tv_nsec >= 1000000000) {
                until.tv_nsec -= 1000000000;
                ++until.tv_sec;
            }
            while (sem_timedwait(&sem, &until) == 0) {
            }
            sem_destroy(&sem);
            break;
        }
    }
    return static_cast<std::int64_t>((monotonic_ns() - before) / 1000u);
}
#endif

double noise(voice& v) {
    v.x ^= v.x >> 12;
    v.x ^= v.x << 25;
    v.x ^= v.x >> 27;
    std::uint64_t r = v.x * UINT64_C(0x2545f4914f6cdd1d);
    return static_cast<double>(r >> 11) * (1.0 / 9007199254740992.0) * 2.0 - 1.0;
}

void note_on(clocks& s, int note, int velocity) {
    int source = note - first_note;
    if (source < 0 || source >= sources) return;
    voice& v = s.voices[source];
    v.constant = source == wait_source;
    if (source == wait_source) {
        std::int64_t ms = waited_ms();
        v.level = static_cast<double>(ms < 0 ? 0 : ms > 100 ? 100 : ms) / 100.0;
    } else if (source >= first_short_wait && source <= last_short_wait) {
        v.constant = true;
        std::int64_t us = short_wait_us(source);
        v.level = static_cast<double>(us < 0 ? 0 : us > 100000 ? 100000 : us) / 100000.0;
    } else {
        std::uint64_t value = draw(s, source);
        v.x = value ? value : UINT64_C(0x9e3779b97f4a7c15);
        v.amp = 0.25 * (velocity / 127.0);
    }
    v.on = true;
}

void handle_midi(plain_vst2* p, const unsigned char* m) {
    clocks& s = self(p);
    int kind = m[0] & 0xf0;
    int note = m[1] & 0x7f;
    if (kind == 0x90 && m[2] > 0)
        note_on(s, note, m[2] & 0x7f);
    else if ((kind == 0x80 || kind == 0x90) && note >= first_note && note < first_note + sources)
        s.voices[note - first_note].on = false;
    else if (kind == 0xb0 && (m[1] == 120 || m[1] == 123))
        for (voice& v : s.voices) v.on = false;
}

void render(plain_vst2* p, float** out, int from, int to, int add) {
    clocks& s = self(p);
    for (int t = from; t < to; ++t) {
        double y = 0.0;
        for (int i = 0; i < sources; ++i)
            if (s.voices[i].on) y += s.voices[i].constant ? s.voices[i].level : s.voices[i].amp * noise(s.voices[i]);
        for (int c = 0; c < 2; ++c) out[c][t] = add ? out[c][t] + static_cast<float>(y) : static_cast<float>(y);
    }
}

void silence(plain_vst2* p) {
    for (voice& v : self(p).voices) v.on = false;
}

void destroy(plain_vst2* p) { delete &self(p); }

constexpr plain_vst2_info info = {
    .name = "vr-test-clocks",
    .product = "vr-test-clocks",
    .vendor = "vst-render",
    .unique_id = CCONST('V', 'r', 'C', 'k'),
    .midi = handle_midi,
    .render = render,
    .silence = silence,
    .close = destroy,
};

}  // namespace

extern "C" AEffect* VSTPluginMain(audioMasterCallback host) {
    (void) host;
    auto* s = new (std::nothrow) clocks{};
    if (!s) return nullptr;
    s->birth_value = birth_value();
    return plain_vst2_init(&s->vst2, &info);
}
