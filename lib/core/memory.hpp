// SPDX-License-Identifier: GPL-3.0-or-later
// Memory the next steps will write, mapped ahead in one call.
#pragma once
#include <cstddef>

namespace vr {

// Asks the kernel to map the pages under [data, data + bytes) for writing
// now, all in one call, instead of taking a page fault at the first write to
// each of them. A forked child pays dearly for those faults (each one a trap
// and a TLB flush, and on a virtual machine a slow one), and it writes every
// page of its audio buffers. Contents are left as they are; where the kernel
// cannot do it (before Linux 5.14), the faults simply happen as before.
void map_ahead(const void* data, std::size_t bytes);

}  // namespace vr
