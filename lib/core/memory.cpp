// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14's value, for older headers
#endif

namespace vr {

void map_ahead(const void* data, std::size_t bytes) {
    // Below a few pages the call costs more than the faults it saves.
    static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    if (!data || bytes < 4 * page) return;
    auto start = reinterpret_cast<std::uintptr_t>(data) & ~(page - 1);
    auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes + page - 1) & ~(page - 1);
    // Every page in the range holds part of the buffer, so it is mapped.
    (void)::madvise(reinterpret_cast<void*>(start), end - start, MADV_POPULATE_WRITE);
}

}  // namespace vr
