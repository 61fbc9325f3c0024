// SPDX-License-Identifier: GPL-3.0-or-later
// libc's own definition of a function render-one defines for the plugins it
// loads (linux/pinned_clocks.cpp, linux/wall_waits.cpp), at a version of
// the symbol: what the definition calls on to. No JUCE here.
#pragma once
#include <dlfcn.h>

namespace vr::host::pinned {

// libc's own definition of a symbol at the version plugins built on this
// glibc bind to: pthread_cond_timedwait's GLIBC_2.2.5 is the condition
// variable of glibc before 2.3.2, pthread_cond_clockwait's GLIBC_2.30 and
// clock_nanosleep's GLIBC_2.2.5 the same code under an older name.
template <typename F>
inline F libc_version(const char* name, const char* version) {
    void* f = ::dlvsym(RTLD_NEXT, name, version);
    return reinterpret_cast<F>(f ? f : ::dlsym(RTLD_NEXT, name));
}
#define VR_LIBC(fn, version) \
    ([] { static const auto f = libc_version<decltype(&::fn)>(#fn, version); return f; }())

}  // namespace vr::host::pinned
