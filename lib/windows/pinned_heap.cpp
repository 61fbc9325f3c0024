// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/pinned_heap.hpp"

#include <windows.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <utility>

#include "core/plugin_clock.hpp"
#include "windows/plugin_arena.hpp"

namespace vr::windows::pinned {

namespace {

size_class_arena& arena() { return plugin_arena(); }

// Whether this thread is inside a call into the plugin: its allocations
// are the arena's.
bool inside() { return clock_inside() != nullptr; }
bool ours(const void* p) { return arena().contains(p); }

template <typename F>
void* fn(F f) {
    return reinterpret_cast<void*>(f);
}

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

struct heap_entry {
    const char* name;
    void* with;
};
const heap_entry heap_functions[] = {
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


// --- the C runtimes: each one's real functions serve what is not the arena's

struct runtime {
    HMODULE module = nullptr;
    void*(__cdecl* malloc)(std::size_t) = nullptr;
    void*(__cdecl* calloc)(std::size_t, std::size_t) = nullptr;
    void*(__cdecl* realloc)(void*, std::size_t) = nullptr;
    void(__cdecl* free)(void*) = nullptr;
    std::size_t(__cdecl* msize)(void*) = nullptr;
    void*(__cdecl* recalloc)(void*, std::size_t, std::size_t) = nullptr;
    void*(__cdecl* aligned_malloc)(std::size_t, std::size_t) = nullptr;
    void(__cdecl* aligned_free)(void*) = nullptr;
    void*(__cdecl* aligned_realloc)(void*, std::size_t, std::size_t) = nullptr;
};
constexpr int max_runtimes = 8;
SRWLOCK g_runtimes_lock = SRWLOCK_INIT;
runtime g_runtimes[max_runtimes];

template <typename T>
void find(HMODULE m, const char* name, T& out) {
    out = reinterpret_cast<T>(reinterpret_cast<void*>(GetProcAddress(m, name)));
}

// The index of the C runtime module m (its functions found once), or -1
// when there are already max_runtimes.
int runtime_of(HMODULE m) {
    AcquireSRWLockExclusive(&g_runtimes_lock);
    int found = -1;
    for (int r = 0; r < max_runtimes && found < 0; ++r) {
        runtime& rt = g_runtimes[r];
        if (rt.module == m) found = r;
        if (rt.module) continue;
        find(m, "malloc", rt.malloc);
        find(m, "calloc", rt.calloc);
        find(m, "realloc", rt.realloc);
        find(m, "free", rt.free);
        find(m, "_msize", rt.msize);
        find(m, "_recalloc", rt.recalloc);
        find(m, "_aligned_malloc", rt.aligned_malloc);
        find(m, "_aligned_free", rt.aligned_free);
        find(m, "_aligned_realloc", rt.aligned_realloc);
        if (!rt.malloc || !rt.free) {  // not a C runtime after all
            rt = {};
            break;
        }
        rt.module = m;
        found = r;
    }
    ReleaseSRWLockExclusive(&g_runtimes_lock);
    return found;
}

template <int R>
void* __cdecl crt_malloc(std::size_t n) {
    if (inside())
        if (void* p = arena().alloc(n ? n : 1, 16)) return p;
    return g_runtimes[R].malloc(n);
}

template <int R>
void* __cdecl crt_calloc(std::size_t n, std::size_t size) {
    std::size_t bytes;
    if (inside() && !__builtin_mul_overflow(n, size, &bytes))
        if (void* p = arena().alloc(bytes ? bytes : 1, 16)) return p;  // zeroed
    return g_runtimes[R].calloc(n, size);
}

template <int R>
void __cdecl crt_free(void* p) {
    if (ours(p)) return arena().free(p);
    g_runtimes[R].free(p);
}

template <int R>
std::size_t __cdecl crt_msize(void* p) {
    return ours(p) ? arena().room(p) : g_runtimes[R].msize(p);
}

// realloc and _recalloc (zero_tail): an arena block grows in place while
// it has room; else the block moves, into the arena inside a call.
template <int R>
void* moved(void* p, std::size_t bytes, bool zero_tail) {
    const std::size_t had = ours(p) ? arena().room(p) : g_runtimes[R].msize(p);
    if (ours(p) && bytes <= had) return p;
    void* q = crt_malloc<R>(bytes);
    if (!q) return nullptr;
    std::memcpy(q, p, std::min(had, bytes));
    if (zero_tail && bytes > had) std::memset(static_cast<char*>(q) + had, 0, bytes - had);
    crt_free<R>(p);
    return q;
}

template <int R>
void* __cdecl crt_realloc(void* p, std::size_t bytes) {
    if (!p) return crt_malloc<R>(bytes);
    if ((!ours(p) && !inside()) || !g_runtimes[R].msize) return g_runtimes[R].realloc(p, bytes);
    if (bytes == 0) {
        crt_free<R>(p);
        return nullptr;
    }
    return moved<R>(p, bytes, false);
}

template <int R>
void* __cdecl crt_recalloc(void* p, std::size_t n, std::size_t size) {
    std::size_t bytes;
    if ((!ours(p) && !inside()) || !g_runtimes[R].msize || __builtin_mul_overflow(n, size, &bytes))
        return g_runtimes[R].recalloc(p, n, size);
    if (!p) return crt_calloc<R>(n, size);
    if (bytes == 0) {
        crt_free<R>(p);
        return nullptr;
    }
    return moved<R>(p, bytes, true);
}

template <int R>
void* __cdecl crt_aligned_malloc(std::size_t n, std::size_t align) {
    if (inside() && align && !(align & (align - 1)))
        if (void* p = arena().alloc(n ? n : 1, align)) return p;
    return g_runtimes[R].aligned_malloc(n, align);
}

template <int R>
void __cdecl crt_aligned_free(void* p) {
    if (ours(p)) return arena().free(p);
    g_runtimes[R].aligned_free(p);
}

// A real block stays on its heap: its size is the runtime's secret.
template <int R>
void* __cdecl crt_aligned_realloc(void* p, std::size_t bytes, std::size_t align) {
    if (!p) return crt_aligned_malloc<R>(bytes, align);
    if (!ours(p)) return g_runtimes[R].aligned_realloc(p, bytes, align);
    if (bytes == 0) {
        arena().free(p);
        return nullptr;
    }
    const std::size_t had = arena().room(p);
    if (bytes <= had && align && (reinterpret_cast<std::uintptr_t>(p) & (align - 1)) == 0) return p;
    void* q = crt_aligned_malloc<R>(bytes, align);
    if (!q) return nullptr;
    std::memcpy(q, p, std::min(had, bytes));
    arena().free(p);
    return q;
}

template <int R>
std::array<std::pair<const char*, void*>, 9> crt_functions() {
    return {{
        {"malloc", fn(crt_malloc<R>)},
        {"calloc", fn(crt_calloc<R>)},
        {"realloc", fn(crt_realloc<R>)},
        {"free", fn(crt_free<R>)},
        {"_msize", fn(crt_msize<R>)},
        {"_recalloc", fn(crt_recalloc<R>)},
        {"_aligned_malloc", fn(crt_aligned_malloc<R>)},
        {"_aligned_free", fn(crt_aligned_free<R>)},
        {"_aligned_realloc", fn(crt_aligned_realloc<R>)},
    }};
}

template <int R>
void* crt_function(const char* name) {
    for (const auto& [n, with] : crt_functions<R>())
        if (std::strcmp(name, n) == 0) return with;
    return nullptr;
}

template <int... R>
void* crt_function(int r, const char* name, std::integer_sequence<int, R...>) {
    void* found = nullptr;
    ((r == R ? (found = crt_function<R>(name)) : nullptr), ...);
    return found;
}

// The C runtime's function `name` bound to real, for its runtime.
void* crt_replacement(const char* name, void* real) {
    if (!real || !crt_function<0>(name)) return nullptr;
    HMODULE m = nullptr;
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            static_cast<LPCWSTR>(real), &m))
        return nullptr;
    const int r = runtime_of(m);
    return r < 0 ? nullptr : crt_function(r, name, std::make_integer_sequence<int, max_runtimes>{});
}

}  // namespace

void* heap_replacement(const char* name, void* real) {
    if (!arena().started()) return nullptr;
    for (const auto& h : heap_functions)
        if (std::strcmp(name, h.name) == 0) return h.with;
    return crt_replacement(name, real);
}

std::vector<std::string_view> heap_names() {
    std::vector<std::string_view> names;
    for (const auto& h : heap_functions) names.emplace_back(h.name);
    for (const auto& [n, with] : crt_functions<0>()) names.emplace_back(n);
    return names;
}

}  // namespace vr::windows::pinned
