// SPDX-License-Identifier: GPL-3.0-or-later
// The waits of MSVC's C++ library (msvcp*.dll) behind std::this_thread::
// sleep_until and std::condition_variable::wait_until, pinned on any thread
// while pinning is on (windows/pinned_imports.hpp). The library's headers
// loop until std::chrono::system_clock (_Xtime_get_ticks, pinned) reaches
// the deadline, and wait in msvcp140.dll, whose own Sleep and
// SleepConditionVariableSRW are not pinned (a system DLL's imports stay):
//   - _Thrd_sleep_for(ms), _Cnd_timedwait_for(cond, mutex, ms) and its
//     _unchecked form (Visual Studio 2022): a relative wait; when it ran
//     out, the thread's wall clock (and inside a call the virtual clock)
//     moves on by its length, as windows/pinned_clocks.hpp's waits do;
//   - _Thrd_sleep(xtime) and _Cnd_timedwait(cond, mutex, xtime) (the ABI
//     of Visual Studio 2015 to 2019, and wine's msvcp140): an absolute
//     deadline on the system clock, which msvcp compares with the real
//     one. A deadline nearer the pinned clock, as the thread reads it, is
//     handed on as the real instant as far ahead (never at once because
//     the pinned clock lies years back); when it ran out, the thread's
//     wall clock reads the deadline and inside a call the virtual clock
//     moved on by what lay between. A deadline nearer the real clock is
//     handed on as it is.
// Each wraps the library's own function, found by the address the loader
// bound (or GetProcAddress answered): one C++ library a process. No JUCE.
#pragma once
#include <string_view>
#include <vector>

namespace vr::windows::pinned {

// What a pinned module gets in place of the msvcp function `name`, bound
// to `real` (nullptr: not one of them, or `real` unknown).
void* msvcp_replacement(const char* name, void* real);

// Every name msvcp_replacement replaces.
std::vector<std::string_view> msvcp_names();

}  // namespace vr::windows::pinned
