// SPDX-License-Identifier: GPL-3.0-or-later
// Definitions of libc functions: fortified inline versions of open() would
// collide with them, so this unit is compiled without fortification.
#undef _FORTIFY_SOURCE
#include "linux/pinned_randomness.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "core/seeded.hpp"
#include "linux/pinned_clocks.hpp"

// The fortified entry points a plugin built with _FORTIFY_SOURCE calls when
// the flags are not known at compile time.
extern "C" {
int __open_2(const char* path, int flags);
int __openat_2(int dirfd, const char* path, int flags);
}

namespace vr::host::pinned {

namespace {

std::atomic<bool> g_on{false};

// rand() and random() draw from the streams' counter, or from the eight
// bytes at the start of a buffer a plugin gave initstate(); every byte
// stream (getrandom, getentropy, arc4random, /dev/urandom) from its entropy;
// the wall clock from its second.
seeded::streams g_streams;
std::atomic<unsigned char*> g_random_buffer{nullptr};
// The drand48 family's 48-bit state and its lcong48 parameters.
std::atomic<std::uint64_t> g_lcg48{0};
std::atomic<std::uint64_t> g_lcg48_a{seeded::lcg48_a};
std::atomic<std::uint64_t> g_lcg48_c{seeded::lcg48_c};
unsigned short g_seed48_old[3];
std::atomic<std::uint32_t> g_seed{0};
std::atomic<std::uint64_t> g_reseeds{0};

// What an opening of /dev/urandom with open() reads before end of file.
constexpr std::size_t device_bytes = 256 * 1024;

bool on() { return g_on.load(std::memory_order_relaxed); }

// The definition the dynamic loader would have bound to without ours.
template <typename F>
F next_definition(const char* name) {
    return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}
#define VR_REAL(fn) ([] { static const auto f = next_definition<decltype(&::fn)>(#fn); return f; }())

std::uint64_t next_random() {
    if (unsigned char* buffer = g_random_buffer.load()) {
        std::uint64_t s;
        std::memcpy(&s, buffer, sizeof s);
        s += seeded::gamma;
        std::memcpy(buffer, &s, sizeof s);
        return seeded::mix(s);
    }
    return g_streams.next_random();
}

void seed_random(unsigned int seed) {
    std::uint64_t s = seeded::derive(seed, seeded::tag_srandom);
    if (unsigned char* buffer = g_random_buffer.load())
        std::memcpy(buffer, &s, sizeof s);
    else
        g_streams.seed_random(seed);
}

char* current_random_state() {
    unsigned char* buffer = g_random_buffer.load();
    return reinterpret_cast<char*>(buffer ? buffer : reinterpret_cast<unsigned char*>(&g_streams.random));
}

std::uint64_t lcg48_next() {
    const std::uint64_t a = g_lcg48_a.load(), c = g_lcg48_c.load();
    std::uint64_t x = g_lcg48.load(), nx;
    do nx = seeded::lcg48_step(x, a, c);
    while (!g_lcg48.compare_exchange_weak(x, nx));
    return nx;
}

std::uint64_t from_words(const unsigned short w[3]) {
    return std::uint64_t{w[0]} | std::uint64_t{w[1]} << 16 | std::uint64_t{w[2]} << 32;
}

void to_words(std::uint64_t x, unsigned short w[3]) {
    for (int i = 0; i < 3; ++i) w[i] = static_cast<unsigned short>(x >> (16 * i));
}

// A caller's own 48-bit state, one step on.
std::uint64_t lcg48_next(unsigned short xsubi[3]) {
    std::uint64_t x = seeded::lcg48_step(from_words(xsubi), g_lcg48_a.load(), g_lcg48_c.load());
    to_words(x, xsubi);
    return x;
}

void fill(void* out, std::size_t n) { g_streams.fill(out, n); }

bool is_random_device(const char* path, int flags) {
    return on() && path && (flags & O_ACCMODE) == O_RDONLY &&
           (std::strcmp(path, "/dev/urandom") == 0 || std::strcmp(path, "/dev/random") == 0);
}

// An opening of the device: a memory file holding the stream's next bytes.
int device_fd(int flags) {
    int fd = ::memfd_create("vr-pinned-random", (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
    if (fd < 0) return -1;
    static thread_local unsigned char chunk[16384];
    for (std::size_t done = 0; done < device_bytes; done += sizeof chunk) {
        fill(chunk, sizeof chunk);
        if (::write(fd, chunk, sizeof chunk) != static_cast<ssize_t>(sizeof chunk)) {
            ::close(fd);
            errno = EIO;
            return -1;
        }
    }
    ::lseek(fd, 0, SEEK_SET);
    return fd;
}

ssize_t stream_read(void*, char* buf, std::size_t n) {
    fill(buf, n);
    return static_cast<ssize_t>(n);
}

FILE* device_file(const char* mode) { return ::fopencookie(nullptr, mode, {stream_read, nullptr, nullptr, nullptr}); }

// The pinned wall clock as the calling thread reads it.
timespec wall_reading() {
    const std::int64_t ns = wall_now_ns();
    return {static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}

bool wall_clock(clockid_t clock) { return clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE || clock == CLOCK_TAI; }

mode_t mode_argument(int flags, va_list args) {
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? static_cast<mode_t>(va_arg(args, int)) : 0;
}

}  // namespace

void enable() {
    g_on.store(true);
    reseed(0);
}

bool enabled() { return on(); }

void reseed(std::uint32_t seed) {
    if (!on()) return;
    g_random_buffer.store(nullptr);
    g_streams.reseed(seed);
    g_lcg48.store(seeded::derive(seed, seeded::tag_lcg48) & seeded::lcg48_mask);
    g_lcg48_a.store(seeded::lcg48_a);
    g_lcg48_c.store(seeded::lcg48_c);
    g_seed.store(seed);
    g_reseeds.fetch_add(1);
}

std::uint32_t current_seed() { return g_seed.load(); }
std::uint64_t reseeds() { return g_reseeds.load(); }

namespace {
// How far the calling thread's waits moved its wall clock past the seed's
// second, and at which reseed (g_reseeds): a count from before the last
// reseed is stale, and the thread reads the seed's second again.
struct thread_wall {
    std::uint64_t reseed = 0;
    std::int64_t ahead_ns = 0;
};
thread_local thread_wall t_wall;

std::int64_t seed_wall_ns() { return g_streams.wall_seconds() * 1'000'000'000; }
}  // namespace

std::int64_t wall_now_ns() noexcept {
    const std::int64_t base = seed_wall_ns();
    return t_wall.reseed == g_reseeds.load(std::memory_order_relaxed) ? base + t_wall.ahead_ns : base;
}

namespace {
// The calling thread's count, as of the last reseed.
thread_wall& current_wall() {
    const std::uint64_t now = g_reseeds.load(std::memory_order_relaxed);
    if (t_wall.reseed != now) t_wall = {now, 0};
    return t_wall;
}
}  // namespace

void wall_waited_until(std::int64_t deadline_ns) noexcept {
    if (!on()) return;
    thread_wall& wall = current_wall();
    wall.ahead_ns = std::max(wall.ahead_ns, deadline_ns - seed_wall_ns());
}

void wall_waited_for(std::int64_t ns) noexcept {
    if (on() && ns > 0) current_wall().ahead_ns += ns;
}

}  // namespace vr::host::pinned

// The definitions plugins bind to. Each is libc's own until enable().
using namespace vr::host::pinned;
namespace seeded = vr::seeded;

extern "C" {

int rand() noexcept { return on() ? static_cast<int>(next_random() >> 33) : VR_REAL(rand)(); }
void srand(unsigned int seed) noexcept { on() ? seed_random(seed) : VR_REAL(srand)(seed); }
int rand_r(unsigned int* state) noexcept { return on() ? seeded::rand_r_step(*state) : VR_REAL(rand_r)(state); }
long random() noexcept { return on() ? static_cast<long>(next_random() >> 33) : VR_REAL(random)(); }
void srandom(unsigned int seed) noexcept { on() ? seed_random(seed) : VR_REAL(srandom)(seed); }

char* initstate(unsigned int seed, char* state, std::size_t n) noexcept {
    if (!on()) return VR_REAL(initstate)(seed, state, n);
    if (n < 8) {
        errno = EINVAL;
        return nullptr;
    }
    char* old = current_random_state();
    g_random_buffer.store(reinterpret_cast<unsigned char*>(state));
    seed_random(seed);
    return old;
}

char* setstate(char* state) noexcept {
    if (!on()) return VR_REAL(setstate)(state);
    char* old = current_random_state();
    auto* builtin = reinterpret_cast<unsigned char*>(&g_streams.random);
    auto* given = reinterpret_cast<unsigned char*>(state);
    g_random_buffer.store(given == builtin ? nullptr : given);
    return old;
}

double drand48() noexcept { return on() ? seeded::lcg48_double(lcg48_next()) : VR_REAL(drand48)(); }
long lrand48() noexcept { return on() ? seeded::lcg48_nonnegative(lcg48_next()) : VR_REAL(lrand48)(); }
long mrand48() noexcept { return on() ? seeded::lcg48_signed(lcg48_next()) : VR_REAL(mrand48)(); }
double erand48(unsigned short x[3]) noexcept { return on() ? seeded::lcg48_double(lcg48_next(x)) : VR_REAL(erand48)(x); }
long nrand48(unsigned short x[3]) noexcept { return on() ? seeded::lcg48_nonnegative(lcg48_next(x)) : VR_REAL(nrand48)(x); }
long jrand48(unsigned short x[3]) noexcept { return on() ? seeded::lcg48_signed(lcg48_next(x)) : VR_REAL(jrand48)(x); }

void srand48(long seed) noexcept {
    if (!on()) return VR_REAL(srand48)(seed);
    g_lcg48.store(seeded::lcg48_from_srand48(seed));
    g_lcg48_a.store(seeded::lcg48_a);
    g_lcg48_c.store(seeded::lcg48_c);
}

unsigned short* seed48(unsigned short s[3]) noexcept {
    if (!on()) return VR_REAL(seed48)(s);
    to_words(g_lcg48.exchange(from_words(s)), g_seed48_old);
    g_lcg48_a.store(seeded::lcg48_a);
    g_lcg48_c.store(seeded::lcg48_c);
    return g_seed48_old;
}

void lcong48(unsigned short p[7]) noexcept {
    if (!on()) return VR_REAL(lcong48)(p);
    g_lcg48.store(from_words(p));
    g_lcg48_a.store(from_words(p + 3));
    g_lcg48_c.store(p[6]);
}

ssize_t getrandom(void* buf, std::size_t n, unsigned int flags) {
    if (!on()) return VR_REAL(getrandom)(buf, n, flags);
    fill(buf, n);
    return static_cast<ssize_t>(n);
}

int getentropy(void* buf, std::size_t n) {
    if (!on()) return VR_REAL(getentropy)(buf, n);
    if (n > 256) {
        errno = EIO;
        return -1;
    }
    fill(buf, n);
    return 0;
}

std::uint32_t arc4random() noexcept {
    if (!on()) return VR_REAL(arc4random)();
    std::uint32_t v;
    fill(&v, sizeof v);
    return v;
}

void arc4random_buf(void* buf, std::size_t n) noexcept { on() ? fill(buf, n) : VR_REAL(arc4random_buf)(buf, n); }

// Unbiased: values below 2^32 mod upper are drawn again.
std::uint32_t arc4random_uniform(std::uint32_t upper) noexcept {
    if (!on()) return VR_REAL(arc4random_uniform)(upper);
    if (upper < 2) return 0;
    const std::uint32_t floor = -upper % upper;
    for (;;)
        if (std::uint32_t r = arc4random(); r >= floor) return r % upper;
}

time_t time(time_t* out) noexcept {
    if (!on()) return VR_REAL(time)(out);
    time_t now = wall_reading().tv_sec;
    if (out) *out = now;
    return now;
}

int gettimeofday(struct timeval* tv, void* tz) noexcept {
    if (!on()) return VR_REAL(gettimeofday)(tv, tz);
    const timespec now = wall_reading();
    *tv = {now.tv_sec, now.tv_nsec / 1000};
    if (tz) std::memset(tz, 0, 2 * sizeof(int));  // struct timezone: UTC
    return 0;
}

// The wall clock as the thread reads it; a monotonic clock read inside a
// call into a plugin from its instance's virtual clock (pinned_clocks.hpp).
int clock_gettime(clockid_t clock, struct timespec* ts) noexcept {
    if (on() && wall_clock(clock)) {
        *ts = wall_reading();
        return 0;
    }
    if (virtual_reading(clock, ts)) return 0;
    return VR_REAL(clock_gettime)(clock, ts);
}

int timespec_get(struct timespec* ts, int base) noexcept {
    if (!on() || base != TIME_UTC) return VR_REAL(timespec_get)(ts, base);
    *ts = wall_reading();
    return base;
}

int open(const char* path, int flags, ...) {
    va_list args;
    va_start(args, flags);
    mode_t mode = mode_argument(flags, args);
    va_end(args);
    return is_random_device(path, flags) ? device_fd(flags) : VR_REAL(open)(path, flags, mode);
}

int openat(int dirfd, const char* path, int flags, ...) {
    va_list args;
    va_start(args, flags);
    mode_t mode = mode_argument(flags, args);
    va_end(args);
    return is_random_device(path, flags) ? device_fd(flags) : VR_REAL(openat)(dirfd, path, flags, mode);
}

int __open_2(const char* path, int flags) {
    return is_random_device(path, flags) ? device_fd(flags) : VR_REAL(__open_2)(path, flags);
}
int __openat_2(int dirfd, const char* path, int flags) {
    return is_random_device(path, flags) ? device_fd(flags) : VR_REAL(__openat_2)(dirfd, path, flags);
}

FILE* fopen(const char* path, const char* mode) {
    const bool reads = mode && mode[0] == 'r' && !std::strchr(mode, '+');
    return reads && is_random_device(path, O_RDONLY) ? device_file(mode) : VR_REAL(fopen)(path, mode);
}

// On x86-64 the 64-bit forms are the same functions under a second name:
// ours are too.
int open64(const char*, int, ...) __attribute__((alias("open")));
int openat64(int, const char*, int, ...) __attribute__((alias("openat")));
int __open64_2(const char*, int) __attribute__((alias("__open_2")));
int __openat64_2(int, const char*, int) __attribute__((alias("__openat_2")));
FILE* fopen64(const char*, const char*) __attribute__((alias("fopen")));

}  // extern "C"
