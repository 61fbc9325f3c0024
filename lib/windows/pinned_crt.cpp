// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/pinned_crt.hpp"

#include <windows.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "windows/heap_calls.hpp"

namespace vr::windows::pinned {

namespace {

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

}  // namespace

void* crt_replacement(const char* name, void* real) {
    if (!real || !crt_function<0>(name)) return nullptr;
    HMODULE m = nullptr;
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            static_cast<LPCWSTR>(real), &m))
        return nullptr;
    const int r = runtime_of(m);
    return r < 0 ? nullptr : crt_function(r, name, std::make_integer_sequence<int, max_runtimes>{});
}


std::vector<std::string_view> crt_names() {
    std::vector<std::string_view> names;
    for (const auto& [n, with] : crt_functions<0>()) names.emplace_back(n);
    return names;
}

}  // namespace vr::windows::pinned
