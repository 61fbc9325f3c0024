// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/import_slots.hpp"

#include <algorithm>
#include <iterator>

namespace vr::windows::pinned {

namespace {

// The protection that lets a page of protection `now` be written, keeping
// it executable where it was.
DWORD writable_kind(DWORD now) {
    return now & (PAGE_EXECUTE | PAGE_EXECUTE_READ) ? PAGE_EXECUTE_READWRITE : PAGE_READWRITE;
}

bool is_writable(DWORD now) { return now & (PAGE_READWRITE | PAGE_EXECUTE_READWRITE); }

// Writes [first, last] (lowest to highest slot) made writable together;
// false when they lie in more than one region, or cannot be made writable.
template <typename Writes>
bool write_together(ULONGLONG* first, ULONGLONG* last, Writes write_all) {
    MEMORY_BASIC_INFORMATION region;
    if (!VirtualQuery(first, &region, sizeof region) ||
        reinterpret_cast<char*>(last + 1) > static_cast<char*>(region.BaseAddress) + region.RegionSize)
        return false;
    const std::size_t bytes = static_cast<std::size_t>(last + 1 - first) * sizeof *first;
    const bool writable = is_writable(region.Protect);
    DWORD old = 0;
    if (!writable && !VirtualProtect(first, bytes, writable_kind(region.Protect), &old)) return false;
    write_all();
    if (!writable) VirtualProtect(first, bytes, old, &old);
    return true;
}

}  // namespace

void slot_writes::add(ULONGLONG* slot, void* with) {
    const auto value = reinterpret_cast<ULONGLONG>(with);
    if (*slot == value) return;
    if (count_ == std::size(writes_)) flush();
    writes_[count_++] = {slot, value};
}

void slot_writes::flush() {
    if (count_ == 0) return;
    const auto [lowest, highest] =
        std::minmax_element(writes_, writes_ + count_, [](const write& a, const write& b) { return a.slot < b.slot; });
    const auto write_all = [this] {
        for (std::size_t i = 0; i < count_; ++i) *writes_[i].slot = writes_[i].value;
    };
    if (!write_together(lowest->slot, highest->slot, write_all))
        // Apart (or a region that refused): one slot at a time.
        for (std::size_t i = 0; i < count_; ++i) {
            ULONGLONG* slot = writes_[i].slot;
            write_together(slot, slot, [&] { *slot = writes_[i].value; });
        }
    count_ = 0;
}

}  // namespace vr::windows::pinned
