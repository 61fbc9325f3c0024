// SPDX-License-Identifier: GPL-3.0-or-later
#include "synth_faults.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#ifdef _WIN32
#include <windows.h>
#else
#include <unistd.h>
#endif

namespace vr::test_synth {

namespace {
// The last leaked block is stored here so the compiler cannot prove the
// allocation dead and drop it; every earlier block is truly lost.
void* volatile leak_sink = nullptr;
} // namespace

void crash_now()
{
    // Volatile twice: the compiler can neither see that the pointer is null
    // (a literal null write becomes a trap, SIGILL) nor drop the store as
    // dead before abort() (which it did with only the pointer volatile).
    volatile int* volatile target = nullptr;
    *target = 42;
    std::abort(); // unreachable: page 0 is never mapped (Linux, Windows)
}

void abort_now()
{
    std::abort();
}

void exit_now()
{
    std::fflush(stdout);
    std::exit(3);
}

#ifdef _WIN32
// Windows has no SIGTERM to ignore: a hang there simply never returns, and
// only TerminateProcess (or wineserver) ends it. The mark holds the Windows
// process id, which under wine is not the Linux one.
void hang_now()
{
    if (const char* mark = std::getenv("VR_TEST_SYNTH_HANG_MARK")) {
        if (FILE* f = std::fopen(mark, "w")) {
            std::fprintf(f, "%lu\n", static_cast<unsigned long>(GetCurrentProcessId()));
            std::fclose(f);
        }
    }
    for (;;)
        Sleep(100);
}
#else
void hang_now()
{
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGTERM, &ignore, nullptr);
    // A test that must act while the plugin hangs waits for this file.
    if (const char* mark = std::getenv("VR_TEST_SYNTH_HANG_MARK")) {
        if (FILE* f = std::fopen(mark, "w")) {
            std::fprintf(f, "%ld\n", static_cast<long>(getpid()));
            std::fclose(f);
        }
    }
    // Sleeping, not spinning: the machine's two cores are shared, and a
    // host must catch a silent plugin as surely as a busy one.
    for (;;) {
        struct timespec ts {0, 100'000'000};
        nanosleep(&ts, nullptr);
    }
}
#endif

void print_noise(const char* event, int note, int velocity)
{
    std::printf("vr-test-synth: %s note %d velocity %d\n", event, note, velocity);
    std::printf("{\"vr_test_synth\": \"stdout noise\", \"event\": \"%s\"}\n", event);
    std::printf("vr-test-synth: this line is not a record\n");
    std::fflush(stdout);
}

bool print_requested_by_env()
{
    const char* v = std::getenv("VR_TEST_SYNTH_PRINT");
    return v != nullptr && std::strcmp(v, "1") == 0;
}

void count_made()
{
    const char* path = std::getenv("VR_TEST_SYNTH_COUNT_MADE");
    if (path == nullptr || path[0] == '\0')
        return;
    if (FILE* f = std::fopen(path, "a")) {
        std::fputs("made\n", f);
        std::fclose(f);
    }
}

void note_clock_at_end()
{
    const char* path = std::getenv("VR_TEST_SYNTH_CLOCK_AT_END");
    if (path == nullptr || path[0] == '\0')
        return;
#ifdef _WIN32
    LARGE_INTEGER now;
    QueryPerformanceCounter(&now);
    const long long ticks = now.QuadPart;
#else
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const long long ticks = static_cast<long long>(now.tv_sec) * 1000000000 + now.tv_nsec;
#endif
    if (FILE* f = std::fopen(path, "a")) {
        std::fprintf(f, "%lld\n", ticks);
        std::fclose(f);
    }
}

void leak_one_mib()
{
    constexpr std::size_t size = 1u << 20;
    void* p = std::malloc(size);
    if (p == nullptr)
        return;
    std::memset(p, 0xA5, size);
    leak_sink = p;
}

} // namespace vr::test_synth
