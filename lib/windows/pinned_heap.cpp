// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/pinned_heap.hpp"

#include <windows.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "windows/heap_calls.hpp"
#include "windows/pinned_crt.hpp"

namespace vr::windows::pinned {

namespace {

// --- heap handles: ours are arena_base + 64 (id + 1), id 0 the process heap's

constexpr int max_heaps = 256;
static_assert(max_heaps == sizeof heap_table{}.live);
struct heap_slot {
    bool live = false;
    DWORD options = 0;
    HANDLE real = nullptr;  // what is allocated on it outside calls
};
SRWLOCK g_heaps_lock = SRWLOCK_INIT;
heap_slot g_heaps[max_heaps];

HANDLE handle_of(int id) { return reinterpret_cast<HANDLE>(arena_base + 64 * (id + 1)); }

// The id of one of our handles, else -1.
int id_of(HANDLE h) {
    const auto a = reinterpret_cast<std::uintptr_t>(h);
    if (a < arena_base + 64 || a > arena_base + 64 * max_heaps || a % 64 != 0) return -1;
    return static_cast<int>((a - arena_base) / 64) - 1;
}

// The arena owner of what is allocated on h: its heap's id, 0 for the
// process heap's and any real handle.
std::uint8_t owner_of(HANDLE h) { return static_cast<std::uint8_t>(std::max(id_of(h), 0)); }

// The real heap behind h.
HANDLE real_of(HANDLE h) {
    const int id = id_of(h);
    if (id < 0) return h;
    if (id == 0) return GetProcessHeap();
    AcquireSRWLockExclusive(&g_heaps_lock);
    heap_slot& s = g_heaps[id];
    if (s.live && !s.real) s.real = HeapCreate(s.options, 0, 0);
    HANDLE real = s.real;
    ReleaseSRWLockExclusive(&g_heaps_lock);
    return real;
}

}  // namespace

heap_table heaps_now() {
    heap_table t;
    AcquireSRWLockShared(&g_heaps_lock);
    for (int id = 0; id < max_heaps; ++id) {
        t.live[id] = g_heaps[id].live;
        t.options[id] = g_heaps[id].options;
    }
    ReleaseSRWLockShared(&g_heaps_lock);
    return t;
}

void heaps_back(const heap_table& then) {
    AcquireSRWLockExclusive(&g_heaps_lock);
    for (int id = 1; id < max_heaps; ++id) {
        heap_slot& s = g_heaps[id];
        if (s.live && !then.live[id]) {
            if (s.real) HeapDestroy(s.real);
            s = {};
        } else if (!s.live && then.live[id]) {
            s = {true, then.options[id], nullptr};
        }
    }
    ReleaseSRWLockExclusive(&g_heaps_lock);
}

namespace {

HANDLE WINAPI pinned_GetProcessHeap() { return handle_of(0); }

HANDLE WINAPI pinned_HeapCreate(DWORD options, SIZE_T initial, SIZE_T most) {
    if (!(options & HEAP_CREATE_ENABLE_EXECUTE)) {
        AcquireSRWLockExclusive(&g_heaps_lock);
        for (int id = 1; id < max_heaps; ++id)
            if (!g_heaps[id].live) {
                g_heaps[id] = {true, options, nullptr};
                ReleaseSRWLockExclusive(&g_heaps_lock);
                return handle_of(id);
            }
        ReleaseSRWLockExclusive(&g_heaps_lock);
    }
    return HeapCreate(options, initial, most);
}

BOOL WINAPI pinned_HeapDestroy(HANDLE h) {
    const int id = id_of(h);
    if (id < 0) return HeapDestroy(h);
    if (id == 0) {
        SetLastError(ERROR_INVALID_HANDLE);  // the process heap stays
        return FALSE;
    }
    arena().free_owned(static_cast<std::uint8_t>(id));
    AcquireSRWLockExclusive(&g_heaps_lock);
    HANDLE real = g_heaps[id].real;
    g_heaps[id] = {};
    ReleaseSRWLockExclusive(&g_heaps_lock);
    return real ? HeapDestroy(real) : TRUE;
}

LPVOID WINAPI pinned_HeapAlloc(HANDLE h, DWORD flags, SIZE_T n) {
    if (inside())
        if (void* p = arena().alloc(n ? n : 1, 16, owner_of(h))) return p;
    return HeapAlloc(real_of(h), flags, n);
}

BOOL WINAPI pinned_HeapFree(HANDLE h, DWORD flags, LPVOID p) {
    if (ours(p)) {
        arena().free(p);
        return TRUE;
    }
    return HeapFree(real_of(h), flags, p);
}

SIZE_T WINAPI pinned_HeapSize(HANDLE h, DWORD flags, LPCVOID p) {
    return ours(p) ? arena().room(p) : HeapSize(real_of(h), flags, p);
}

LPVOID WINAPI pinned_HeapReAlloc(HANDLE h, DWORD flags, LPVOID p, SIZE_T n) {
    const bool mine = ours(p);
    if (!p || (!mine && !inside())) return HeapReAlloc(real_of(h), flags, p, n);
    const SIZE_T had = mine ? arena().room(p) : HeapSize(real_of(h), 0, p);
    if (had == static_cast<SIZE_T>(-1)) return HeapReAlloc(real_of(h), flags, p, n);
    if (mine && n <= had) return p;
    if (flags & HEAP_REALLOC_IN_PLACE_ONLY) {
        if (!mine) return HeapReAlloc(real_of(h), flags, p, n);
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return nullptr;
    }
    void* q = pinned_HeapAlloc(h, flags, n);  // the arena's inside a call, zeroed
    if (!q) return nullptr;
    std::memcpy(q, p, std::min<SIZE_T>(had, n));
    pinned_HeapFree(h, 0, p);
    return q;
}

BOOL WINAPI pinned_HeapValidate(HANDLE h, DWORD flags, LPCVOID p) {
    return (p && ours(p)) || HeapValidate(real_of(h), flags, p);
}
SIZE_T WINAPI pinned_HeapCompact(HANDLE h, DWORD flags) { return HeapCompact(real_of(h), flags); }
BOOL WINAPI pinned_HeapLock(HANDLE h) { return HeapLock(real_of(h)); }
BOOL WINAPI pinned_HeapUnlock(HANDLE h) { return HeapUnlock(real_of(h)); }
BOOL WINAPI pinned_HeapWalk(HANDLE h, PROCESS_HEAP_ENTRY* entry) { return HeapWalk(real_of(h), entry); }
BOOL WINAPI pinned_HeapSetInformation(HANDLE h, HEAP_INFORMATION_CLASS what, PVOID info, SIZE_T n) {
    return HeapSetInformation(h ? real_of(h) : h, what, info, n);
}
BOOL WINAPI pinned_HeapQueryInformation(HANDLE h, HEAP_INFORMATION_CLASS what, PVOID info, SIZE_T n, PSIZE_T out) {
    return HeapQueryInformation(h ? real_of(h) : h, what, info, n, out);
}

const pin_entry heap_functions[] = {
    {"GetProcessHeap", fn(pinned_GetProcessHeap)},
    {"HeapCreate", fn(pinned_HeapCreate)},
    {"HeapDestroy", fn(pinned_HeapDestroy)},
    {"HeapAlloc", fn(pinned_HeapAlloc)},
    {"HeapFree", fn(pinned_HeapFree)},
    {"HeapSize", fn(pinned_HeapSize)},
    {"HeapReAlloc", fn(pinned_HeapReAlloc)},
    {"HeapValidate", fn(pinned_HeapValidate)},
    {"HeapCompact", fn(pinned_HeapCompact)},
    {"HeapLock", fn(pinned_HeapLock)},
    {"HeapUnlock", fn(pinned_HeapUnlock)},
    {"HeapWalk", fn(pinned_HeapWalk)},
    {"HeapSetInformation", fn(pinned_HeapSetInformation)},
    {"HeapQueryInformation", fn(pinned_HeapQueryInformation)},
};


}  // namespace

bool heap_pins_on() { return arena().started(); }

std::span<const pin_entry> heap_pins() { return heap_functions; }

}  // namespace vr::windows::pinned
