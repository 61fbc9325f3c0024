// SPDX-License-Identifier: GPL-3.0-or-later
// Memory the next steps will write, mapped ahead in one call; buffers that
// files are read into.
#pragma once
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace vr {

// Asks the kernel to map the pages under [data, data + bytes) for writing
// now, all in one call, instead of taking a page fault at the first write to
// each of them. A forked child pays dearly for those faults (each one a trap
// and a TLB flush, and on a virtual machine a slow one), and it writes every
// page of its audio buffers. Contents are left as they are; where the kernel
// cannot do it (before Linux 5.14), the faults simply happen as before.
void map_ahead(const void* data, std::size_t bytes);

// Gives memory of 4 KiB and more on a 64-byte boundary, for buffers that
// read(2) fills from the page cache. The kernel copies with `rep movsb`,
// which AMD's processors run at a third of their speed when the destination
// lies 1 to 63 bytes past a multiple of 4096 from the source (measured
// here, 215 MB of Vital presets read from the page cache: 0.18 s into a
// buffer 16 bytes past a page boundary, as malloc gives a large block,
// 0.06 s at a boundary of 64). Files are read from offsets that are
// multiples of the page size, so a destination on a 64-byte boundary never
// lies that near.
template <class T>
struct read_allocator {
    using value_type = T;
    static constexpr std::align_val_t alignment{64};
    read_allocator() noexcept = default;
    template <class U>
    read_allocator(const read_allocator<U>&) noexcept {}
    // Small blocks as malloc gives them: a read that short is copied fast
    // anywhere, and an aligned block costs malloc more.
    static constexpr std::size_t least_aligned = 4096;
    T* allocate(std::size_t n) {
        if (n * sizeof(T) < least_aligned) return static_cast<T*>(::operator new(n * sizeof(T)));
        return static_cast<T*>(::operator new(n * sizeof(T), alignment));
    }
    void deallocate(T* p, std::size_t n) noexcept {
        if (n * sizeof(T) < least_aligned)
            ::operator delete(p);
        else
            ::operator delete(p, alignment);
    }
    template <class U>
    bool operator==(const read_allocator<U>&) const noexcept {
        return true;
    }
};

// The bytes of a file read whole, or of its start.
using read_bytes = std::vector<std::uint8_t, read_allocator<std::uint8_t>>;

}  // namespace vr
