// SPDX-License-Identifier: GPL-3.0-or-later
// The same job gives the same bytes in any worker, in any order, on any
// machine: render-one defines the libc entry points plugins take randomness
// and the wall clock from (exported to the plugins it loads: exports.list),
// and once enabled they answer from generators that follow from a seed.
//
// Pinned: rand, srand, rand_r, random, srandom, initstate, setstate; drand48,
// erand48, lrand48, nrand48, mrand48, jrand48, srand48, seed48, lcong48;
// getrandom, getentropy, arc4random, arc4random_buf, arc4random_uniform;
// opening /dev/urandom or /dev/random (open, open64, openat, openat64, their
// fortified forms, fopen, fopen64) for reading; time, gettimeofday,
// clock_gettime and timespec_get on the wall clock (CLOCK_REALTIME, its
// coarse form, CLOCK_TAI), which reads wall_clock_epoch + seed seconds and
// moves, on each thread alone, only to the deadline of a wait on it that
// the thread waited out (wall_now_ns, wall_waited_until; the waits:
// pinned_clocks.hpp). The monotonic clocks (and waits) are pinned only inside a
// call into a plugin, on the calling thread, to the instance's virtual
// clock: pinned_clocks.hpp; elsewhere they are real, so timers keep working.
// Not pinned: CPU instructions (RDRAND, RDSEED: std::random_device on most
// x86 CPUs; rdtsc), raw system calls, the monotonic clock a plugin's own
// threads read, the process id or an address, and randomness drawn by a
// plugin's own threads in an order the scheduler decides. Before enable()
// every one of them is libc's own.
// The generators are core/seeded.hpp's streams, which the Windows worker
// answers Windows plugins from too (windows/pinned_imports.hpp): the job's
// seed crosses its pipe (current_seed, reseeds).
#pragma once
#include <cstdint>

#include "core/seeded.hpp"

namespace vr::host::pinned {

// 2020-01-01T00:00:00Z: the wall clock's reading under seed 0.
inline constexpr std::int64_t wall_clock_epoch = seeded::wall_clock_epoch;

// Pins every source listed above for the rest of the process's life, in
// the state seed 0 gives (the state a worker starts in).
void enable();
bool enabled();

// Every generator and the wall clock to the state `seed` gives; the built-in
// random() state becomes the current one again (a buffer a plugin handed to
// initstate is left as it is). Does nothing unless enabled.
void reseed(std::uint32_t seed);

// The seed of the last reseed (0 before any), and how many reseeds there
// have been: a Windows worker is told the seed again whenever the count
// has moved since it was last told.
std::uint32_t current_seed();
std::uint64_t reseeds();

// The pinned wall clock as the calling thread reads it, in nanoseconds since
// 1970: the seed's second, moved on by what this thread waited since the
// last reseed (wall_waited_until, wall_waited_for). Each
// thread's alone, so that a wait another thread timed out changes nothing
// the calling thread reads.
std::int64_t wall_now_ns() noexcept;

// The calling thread waited out a deadline of the pinned wall clock (a
// timed wait that timed out, a sleep until then that ended): it reads at
// least deadline_ns from now on, until the next reseed.
void wall_waited_until(std::int64_t deadline_ns) noexcept;

// The calling thread slept, or waited out a deadline of another clock, for
// ns: its wall clock moves on by that much, until the next reseed.
void wall_waited_for(std::int64_t ns) noexcept;

}  // namespace vr::host::pinned
