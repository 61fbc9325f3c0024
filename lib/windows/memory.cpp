// SPDX-License-Identifier: GPL-3.0-or-later
// The Windows worker's map_ahead (core/memory.hpp): a hint that saves page
// faults in a forked child on Linux; there is no fork under wine, and the
// Windows worker skips it.
#include "core/memory.hpp"

namespace vr {

void map_ahead(const void*, std::size_t) {}

}  // namespace vr
