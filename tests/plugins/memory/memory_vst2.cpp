// SPDX-License-Identifier: GPL-3.0-or-later
// vr-test-memory: a VST2 instrument in one C++ file (no JUCE) whose every
// note is seeded from an address or from memory it never wrote, so that a
// test hears whether the host pinned them (README.md beside this; render-
// one(1), Reproducibility). A note-on of note n, velocity v (1..127) takes
// a 64-bit value from source n - 60 (notes outside 60..63 are silent):
//
//   60  a heap block never written: eight blocks of 200 bytes are filled
//       with a pattern of their own and the stack's addresses, freed, then
//       one more of 200 bytes is allocated and its bytes hashed (FNV-1a);
//       xored with the same of large blocks (two of 1 MiB, their first
//       4 KiB written, freed, one taken again: its first 4 KiB hashed),
//       whose pages an allocator gives back to the system as it frees them
//   61  a stack array never written: a function fills 256 bytes of its
//       frame with addresses and returns; the next one, as deep, hashes
//       the 256 bytes of an array it never set
//   62  the instance's address (this)
//   63  a static's address (the module's load address)
//
// The voice is white noise from a xorshift64* generator (as vr-test-seeds):
// x = value (0x9e3779b97f4a7c15 when it is 0); per sample
//   x ^= x >> 12; x ^= x << 25; x ^= x >> 27; r = x * 0x2545f4914f6cdd1d
//   y = amp * ((double) (r >> 11) * 2^-53 * 2.0 - 1.0), amp = 0.25 * v / 127
// summed over the sounding voices, the same on both channels. A note-off
// ends the voice at once; CC 120 and 123 end every voice.
//
// Built for Windows (mingw, _WIN32), source 60's blocks come from
// HeapAlloc(GetProcessHeap()) and from a heap of its own (HeapCreate): the
// value is both hashes xored; and note 64 hashes 4 KiB of the stack below
// the call's frames that nothing of the call wrote (what the worker left).
#ifdef _WIN32
#include <windows.h>
#endif
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "plain_vst2.h"

namespace {

constexpr int first_note = 60;
#ifdef _WIN32
constexpr int sources = 5;  // and 64: what lies below the stack pointer
#else
constexpr int sources = 4;
#endif
constexpr std::size_t block_bytes = 200;
constexpr std::size_t large_bytes = std::size_t{1} << 20;
constexpr std::size_t large_written = 4096;

std::uint64_t fnv(const volatile unsigned char* b, std::size_t n) {
    std::uint64_t h = 0xcbf29ce484222325u;
    for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 0x100000001b3u;
    return h;
}

#ifdef _WIN32
void* take(HANDLE heap, std::size_t n) { return HeapAlloc(heap, 0, n); }
void give(HANDLE heap, void* p) { HeapFree(heap, 0, p); }
#else
using HANDLE = void*;
void* take(HANDLE, std::size_t n) { return std::malloc(n); }
void give(HANDLE, void* p) { std::free(p); }
#endif

// Source 60 on one heap.
std::uint64_t heap_value(HANDLE heap) {
    void* blocks[8];
    const auto here = reinterpret_cast<std::uintptr_t>(&blocks);
    for (int i = 0; i < 8; ++i) {
        blocks[i] = take(heap, block_bytes);
        if (!blocks[i]) return 0;
        const std::uint64_t pattern = reinterpret_cast<std::uintptr_t>(blocks[i]) * 31u ^ here;
        for (std::size_t at = 0; at + 8 <= block_bytes; at += 8) std::memcpy(static_cast<char*>(blocks[i]) + at, &pattern, 8);
    }
    for (int i = 0; i < 8; ++i) give(heap, blocks[i]);
    void* p = take(heap, block_bytes);
    if (!p) return 0;
    std::uint64_t value = fnv(static_cast<unsigned char*>(p), block_bytes);
    give(heap, p);
    // Large blocks, whose pages an allocator gives back to the system when
    // they are freed: two written, freed, one taken again.
    void* large[2];
    for (auto& b : large) {
        b = take(heap, large_bytes);
        if (!b) return 0;
        std::memset(b, static_cast<int>(here & 0xff) | 1, large_written);
    }
    for (auto* b : large) give(heap, b);
    p = take(heap, large_bytes);
    if (!p) return 0;
    value ^= fnv(static_cast<unsigned char*>(p), large_written);
    give(heap, p);
    return value;
}

std::uint64_t heap_source() {
#ifdef _WIN32
    HANDLE own = HeapCreate(0, 0, 0);
    const std::uint64_t value = heap_value(GetProcessHeap()) ^ (own ? heap_value(own) : 0);
    if (own) HeapDestroy(own);
    return value;
#else
    return heap_value(nullptr);
#endif
}

// Source 61: the first call dirties the stack, the second reads it.
__attribute__((noinline)) void dirty_stack(const void* instance) {
    volatile std::uintptr_t words[32];
    for (int i = 0; i < 32; ++i) words[i] = reinterpret_cast<std::uintptr_t>(&words[i]) ^ reinterpret_cast<std::uintptr_t>(instance);
}

__attribute__((noinline)) std::uint64_t unwritten_stack() {
    unsigned char bytes[256];
    __asm__ volatile("" : : "r"(bytes) : "memory");  // as if something had written it
    return fnv(bytes, sizeof bytes);
}

#ifdef _WIN32
// Source 64 (Windows): 4 KiB of the stack below the call's frames that
// nothing of this call wrote, hashed: what the worker left there.
__attribute__((noinline)) std::uint64_t left_below() {
    unsigned char bytes[4096];
    __asm__ volatile("" : : "r"(bytes) : "memory");
    return fnv(bytes, sizeof bytes);
}
#endif

int g_static = 1;  // source 63

struct voice {
    bool on = false;
    std::uint64_t x = 0;
    double amp = 0.0;
};

struct memory {
    plain_vst2 vst2{};  // first: the host's AEffect* is this object's address
    voice voices[sources];

    std::uint64_t draw(int source) {
        switch (source) {
            case 0: return heap_source();
            case 1: dirty_stack(this); return unwritten_stack();
            case 2: return reinterpret_cast<std::uintptr_t>(this);
            case 3: return reinterpret_cast<std::uintptr_t>(&g_static);
#ifdef _WIN32
            case 4: return left_below();
#endif
        }
        return 0;
    }

    void midi(const unsigned char* m) {
        const int kind = m[0] & 0xf0, note = m[1] & 0x7f, source = note - first_note;
        if (kind == 0x90 && m[2] > 0) {
            if (source < 0 || source >= sources) return;
            const std::uint64_t value = draw(source);
            voices[source] = voice{true, value ? value : 0x9e3779b97f4a7c15u, 0.25 * (m[2] & 0x7f) / 127.0};
        } else if (kind == 0x80 || kind == 0x90) {
            if (source >= 0 && source < sources) voices[source].on = false;
        } else if (kind == 0xb0 && (m[1] == 120 || m[1] == 123)) {
            for (voice& v : voices) v.on = false;
        }
    }

    void render(float** out, int from, int to, bool add) {
        for (int t = from; t < to; ++t) {
            double y = 0.0;
            for (voice& v : voices) {
                if (!v.on) continue;
                v.x ^= v.x >> 12;
                v.x ^= v.x << 25;
                v.x ^= v.x >> 27;
                const std::uint64_t r = v.x * 0x2545f4914f6cdd1du;
                y += v.amp * (static_cast<double>(r >> 11) * (1.0 / 9007199254740992.0) * 2.0 - 1.0);
            }
            for (int c = 0; c < 2; ++c) out[c][t] = add ? out[c][t] + static_cast<float>(y) : static_cast<float>(y);
        }
    }
};

memory* self(plain_vst2* p) { return reinterpret_cast<memory*>(p); }

constexpr plain_vst2_info info = {
    .name = "vr-test-memory",
    .product = "vr-test-memory",
    .vendor = "vst-render",
    .unique_id = CCONST('V', 'r', 'M', 'm'),
    .midi = [](plain_vst2* p, const unsigned char* m) { self(p)->midi(m); },
    .render = [](plain_vst2* p, float** out, int from, int to, int add) { self(p)->render(out, from, to, add); },
    .silence = [](plain_vst2* p) { for (voice& v : self(p)->voices) v.on = false; },
    .close = [](plain_vst2* p) { delete self(p); },
};

}  // namespace

AEffect* VSTPluginMain(audioMasterCallback) {
    auto* m = new memory;
    return plain_vst2_init(&m->vst2, &info);
}
