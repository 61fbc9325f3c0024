// SPDX-License-Identifier: GPL-3.0-or-later
// Memory a plugin's call may have left dirty, tested and zeroed 256 bytes
// at a time with SSE2 (GCC's -O2 keeps the plain loops scalar, four times
// slower; and the Windows worker's memset is wine's msvcrt's, which stores
// 8 bytes at a time): the stack below a call into a plugin, which both
// systems give each call zeroed (linux/fixed_stack.hpp, windows/
// plugin_stack.hpp). Most of it is zero already, so testing a chunk and
// writing only a dirty one costs about half of zeroing the whole.
#pragma once
#include <emmintrin.h>

#include <cstddef>

namespace vr {

constexpr std::size_t zero_chunk_bytes = 256;

// Whether the chunk at p (aligned to zero_chunk_bytes) is all zero.
inline bool zero_chunk(const char* p) noexcept {
    const auto* v = reinterpret_cast<const __m128i*>(p);
    __m128i any = _mm_load_si128(v);
    for (std::size_t i = 1; i < zero_chunk_bytes / 16; ++i) any = _mm_or_si128(any, _mm_load_si128(v + i));
    return _mm_movemask_epi8(_mm_cmpeq_epi8(any, _mm_setzero_si128())) == 0xffff;
}

// Zeroes the chunks of [from, to) (both aligned to zero_chunk_bytes) that
// are not zero.
inline void zero_dirty_chunks(char* from, char* to) noexcept {
    for (char* p = from; p < to; p += zero_chunk_bytes) {
        if (zero_chunk(p)) continue;
        auto* v = reinterpret_cast<__m128i*>(p);
        for (std::size_t i = 0; i < zero_chunk_bytes / 16; ++i) _mm_store_si128(v + i, _mm_setzero_si128());
    }
}

}  // namespace vr
