// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/pinned_imports.hpp"

#include <windows.h>
#include <winternl.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <cwchar>
#include <iterator>
#include <stdexcept>
#include <vector>

#include "core/seeded.hpp"
#include "windows/image_headers.hpp"
#include "windows/import_choice.hpp"
#include "windows/import_slots.hpp"
#include "windows/pinned_clocks.hpp"
#include "windows/pinned_crt.hpp"
#include "windows/pinned_heap.hpp"
#include "windows/pinned_msvcp.hpp"
#include "windows/pinned_timers.hpp"
#include "windows/pinned_wall.hpp"
#include "windows/plugin_arena.hpp"

namespace vr::windows::pinned {

namespace {

std::atomic<bool> g_on{false};
seeded::streams g_streams;

// --- the answers -----------------------------------------------------------

// Every C runtime's RAND_MAX is 0x7FFF.
int __cdecl pinned_rand() { return static_cast<int>(g_streams.next_random() >> 49); }
void __cdecl pinned_srand(unsigned int seed) { g_streams.seed_random(seed); }
int __cdecl pinned_rand_s(unsigned int* out) {
    if (!out) return 22;  // EINVAL, as the C runtimes answer
    g_streams.fill(out, sizeof *out);
    return 0;
}
BOOLEAN WINAPI pinned_RtlGenRandom(void* out, ULONG n) {
    g_streams.fill(out, n);
    return TRUE;
}
LONG WINAPI pinned_BCryptGenRandom(void*, UCHAR* out, ULONG n, ULONG) {
    g_streams.fill(out, n);
    return 0;  // STATUS_SUCCESS
}
BOOL WINAPI pinned_CryptGenRandom(ULONG_PTR, DWORD n, BYTE* out) {
    g_streams.fill(out, n);
    return TRUE;
}
BOOL WINAPI pinned_ProcessPrng(BYTE* out, SIZE_T n) {
    g_streams.fill(out, n);
    return TRUE;
}

FARPROC WINAPI pinned_GetProcAddress(HMODULE module, LPCSTR name);

const pin_entry randomness_pins[] = {
    {"rand", fn(pinned_rand)},
    {"srand", fn(pinned_srand)},
    {"rand_s", fn(pinned_rand_s)},
    {"SystemFunction036", fn(pinned_RtlGenRandom)},
    {"BCryptGenRandom", fn(pinned_BCryptGenRandom)},
    {"CryptGenRandom", fn(pinned_CryptGenRandom)},
    {"ProcessPrng", fn(pinned_ProcessPrng)},
    {"GetProcAddress", fn(pinned_GetProcAddress)},
};

// real: the function the loader bound, where known (the C runtimes' heap
// functions need it: pinned_heap.hpp).
void* replacement_for(const char* name, void* real) {
    const replacing* r = replaced(name);
    if (!r) return nullptr;
    switch (r->family) {
    case pin_family::heap:
        return heap_pins_on() ? r->with : nullptr;
    case pin_family::crt:
        return heap_pins_on() ? crt_replacement(name, real) : nullptr;
    case pin_family::msvcp:
        return msvcp_replacement(name, real);
    default:
        return r->with;
    }
}

// --- a module's headers, import tables and name ---------------------------

const IMAGE_DATA_DIRECTORY* directory(const BYTE* base, int which) {
    const auto* nt = image_headers(base);
    if (!nt || nt->OptionalHeader.NumberOfRvaAndSizes <= static_cast<DWORD>(which)) return nullptr;
    const auto* d = &nt->OptionalHeader.DataDirectory[which];
    return d->VirtualAddress && d->Size ? d : nullptr;
}

// The name a DLL's export table gives itself ("bcrypt.dll"), or "".
const char* export_name(const BYTE* base) {
    const auto* d = directory(base, IMAGE_DIRECTORY_ENTRY_EXPORT);
    if (!d) return "";
    const auto* exports = reinterpret_cast<const IMAGE_EXPORT_DIRECTORY*>(base + d->VirtualAddress);
    return exports->Name ? reinterpret_cast<const char*>(base + exports->Name) : "";
}

// Each slot of a name table and its address table that imports one of ours
// by name gets ours. bound: the slots hold what the loader bound (not a
// delay-load helper's thunks).
void patch_thunks(BYTE* base, DWORD names_rva, DWORD slots_rva, bool bound, slot_writes& writes) {
    if (!names_rva || !slots_rva) return;  // no names left to read: bound already
    auto* names = reinterpret_cast<const IMAGE_THUNK_DATA64*>(base + names_rva);
    auto* slots = reinterpret_cast<IMAGE_THUNK_DATA64*>(base + slots_rva);
    for (; names->u1.AddressOfData; ++names, ++slots) {
        if (IMAGE_SNAP_BY_ORDINAL64(names->u1.Ordinal)) continue;
        const auto* by_name = reinterpret_cast<const IMAGE_IMPORT_BY_NAME*>(base + names->u1.AddressOfData);
        void* real = bound ? reinterpret_cast<void*>(slots->u1.Function) : nullptr;
        if (void* with = replacement_for(reinterpret_cast<const char*>(by_name->Name), real))
            writes.add(&slots->u1.Function, with);
    }
}

// The import table, and the delay-import table: a delayed import of ours is
// bound now, so the plugin's delay-load helper never looks it up.
void patch_module(BYTE* base) {
    slot_writes writes;  // written as it goes out of scope
    if (const auto* d = directory(base, IMAGE_DIRECTORY_ENTRY_IMPORT))
        for (auto* i = reinterpret_cast<const IMAGE_IMPORT_DESCRIPTOR*>(base + d->VirtualAddress); i->Name; ++i)
            if (provider(reinterpret_cast<const char*>(base + i->Name)))
                patch_thunks(base, i->OriginalFirstThunk, i->FirstThunk, true, writes);
    if (const auto* d = directory(base, IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT))
        for (auto* i = reinterpret_cast<const IMAGE_DELAYLOAD_DESCRIPTOR*>(base + d->VirtualAddress); i->DllNameRVA;
             ++i)
            if ((i->Attributes.AllAttributes & 1) && provider(reinterpret_cast<const char*>(base + i->DllNameRVA)))
                patch_thunks(base, i->ImportNameTableRVA, i->ImportAddressTableRVA, false, writes);
}

// The plugin's modules: all but the worker's executable and what lies
// under the Windows folder (wine's builtins and the system's DLLs).
bool plugins_own(const void* base, const wchar_t* path) {
    if (base == GetModuleHandleW(nullptr)) return false;
    static wchar_t windows[MAX_PATH];
    static UINT length = GetSystemWindowsDirectoryW(windows, MAX_PATH);
    if (length == 0 || length >= MAX_PATH) return true;
    return !(_wcsnicmp(path, windows, length) == 0 && (path[length] == L'\\' || path[length] == L'/'));
}

FARPROC WINAPI pinned_GetProcAddress(HMODULE module, LPCSTR name) {
    // Only a module's true base (not a data-file handle) has headers to read.
    HMODULE found = nullptr;
    const FARPROC real = GetProcAddress(module, name);
    if (g_on.load() && real && module && name && !IS_INTRESOURCE(name) &&
        GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                           reinterpret_cast<LPCWSTR>(module), &found) &&
        found == module)
        if (void* with = replacement(export_name(reinterpret_cast<const BYTE*>(module)), name,
                                     reinterpret_cast<void*>(real)))
            return reinterpret_cast<FARPROC>(with);
    return real;
}

// --- modules as they load --------------------------------------------------

// A module's full name as the loader keeps it (a counted string), ended
// with a NUL, cut at MAX_PATH * 2 characters.
struct module_path {
    explicit module_path(const UNICODE_STRING& name) {
        const std::size_t n =
            std::min<std::size_t>(name.Buffer ? name.Length / sizeof(wchar_t) : 0, std::size(text) - 1);
        if (n) std::memcpy(text, name.Buffer, n * sizeof(wchar_t));
        text[n] = L'\0';
    }
    wchar_t text[MAX_PATH * 2];
};

struct dll_notification {
    ULONG flags;
    const UNICODE_STRING* full_name;
    const UNICODE_STRING* base_name;
    void* base;
    ULONG size;
};
constexpr ULONG dll_loaded = 1, dll_unloaded = 2;
using notification_fn = void(CALLBACK*)(ULONG reason, const dll_notification* data, void* context);
using register_fn = LONG(NTAPI*)(ULONG flags, notification_fn callback, void* context, void** cookie);
using lock_fn = LONG(NTAPI*)(ULONG flags, ULONG* disposition, ULONG_PTR* cookie);
using unlock_fn = LONG(NTAPI*)(ULONG flags, ULONG_PTR cookie);

// Held while f() runs: what loads and unloads modules waits, as the
// loader's notifications run under it.
template <typename F>
void under_loader_lock(F f) {
    static const HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    static const auto lock =
        reinterpret_cast<lock_fn>(reinterpret_cast<void*>(GetProcAddress(ntdll, "LdrLockLoaderLock")));
    static const auto unlock =
        reinterpret_cast<unlock_fn>(reinterpret_cast<void*>(GetProcAddress(ntdll, "LdrUnlockLoaderLock")));
    ULONG_PTR cookie = 0;
    const bool locked = lock && unlock && lock(0, nullptr, &cookie) == 0;
    f();
    if (locked) unlock(0, cookie);
}

// Modules loaded since watch_loads() while pinning was not on yet: each
// one's base and the loader's own name of it (valid while it is loaded;
// an unloaded one leaves the list). Read and written under the loader
// lock; pin() patches the plugin's among them.
struct early_module {
    void* base;
    const UNICODE_STRING* name;
};
std::vector<early_module> g_early;
bool g_watching = false;

// Called by the loader once a module's imports are bound, before its
// entry point runs (wine's order): the plugin's DllMain draws pinned too.
void CALLBACK on_dll(ULONG reason, const dll_notification* data, void*) {
    if (!data || !data->base) return;
    if (!g_on.load()) {
        if (reason == dll_loaded && data->full_name)
            g_early.push_back({data->base, data->full_name});
        else if (reason == dll_unloaded)
            std::erase_if(g_early, [&](const early_module& m) { return m.base == data->base; });
        return;
    }
    if (reason != dll_loaded || !data->full_name) return;
    module_path path(*data->full_name);
    if (plugins_own(data->base, path.text)) patch_module(static_cast<BYTE*>(data->base));
}

bool register_loads() {
    auto reg = reinterpret_cast<register_fn>(
        reinterpret_cast<void*>(GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "LdrRegisterDllNotification")));
    void* cookie = nullptr;
    return reg && reg(0, on_dll, nullptr, &cookie) == 0;
}

// Calls f(base, full path) for each module the loader holds, in its
// memory-order list, read in this process under the loader lock.
// (CreateToolhelp32Snapshot reads the same list through ReadProcessMemory,
// and under wine every such read, even of the process's own memory, has
// the server stop the process by ptrace and read it: some 420 reads at
// every pinned Windows worker's start, which were the pinned one-off's
// +10.6 ms of CPU against --real-randomness.)
template <typename F>
void each_loaded_module(F f) {
    under_loader_lock([&] {
        // The PEB, 0x60 bytes into the TEB on x64 (read through gs, as
        // module_restore.cpp reads the TLS array: GCC 12 takes NtCurrentTeb's
        // own read for an access out of bounds).
        PEB* peb = nullptr;
        __asm__("movq %%gs:0x60, %0" : "=r"(peb));
        LIST_ENTRY* const head = &peb->Ldr->InMemoryOrderModuleList;
        for (LIST_ENTRY* e = head->Flink; e && e != head; e = e->Flink) {
            const auto* m = CONTAINING_RECORD(e, LDR_DATA_TABLE_ENTRY, InMemoryOrderLinks);
            if (m->DllBase) f(m->DllBase, module_path(m->FullDllName).text);
        }
    });
}

void start() {
    if (!g_watching && !register_loads())
        throw std::runtime_error("cannot pin a Windows plugin's randomness: this Windows has no "
                                 "LdrRegisterDllNotification (--real-randomness renders without)");
    start_arena();  // before any module of the plugin's: its heap imports need it
    replaced("");  // its table made here, not inside the loader's callback
    if (g_watching) {
        // The plugin's modules loaded before pin(), among those noted
        // since watch_loads(): none in the worker, which pins before its
        // first load; no walk of every module the process holds (13 us of
        // a pinned one-off, bench/README.md).
        under_loader_lock([] {
            g_on.store(true);
            for (const early_module& m : g_early)
                if (plugins_own(m.base, module_path(*m.name).text)) patch_module(static_cast<BYTE*>(m.base));
            g_early.clear();
            g_early.shrink_to_fit();
        });
        return;
    }
    g_on.store(true);
    // Modules loaded before pin() by a host that did not watch: walked.
    each_loaded_module([](void* base, const wchar_t* path) {
        if (plugins_own(base, path)) patch_module(static_cast<BYTE*>(base));
    });
}

}  // namespace

void pin(std::uint32_t seed) {
    if (!g_on.load()) start();
    g_streams.reseed(seed);
    set_wall_seconds(g_streams.wall_seconds());
    forget_timers();
}

void watch_loads() {
    if (!g_watching && !g_on.load()) g_watching = register_loads();
}

bool enabled() { return g_on.load(); }

std::span<const pin_entry> pins() { return randomness_pins; }

std::vector<void*> plugin_modules() {
    std::vector<void*> found;
    each_loaded_module([&](void* base, const wchar_t* path) {
        if (plugins_own(base, path)) found.push_back(base);
    });
    return found;
}

void* replacement(const char* dll, const char* name, void* real) {
    return provider(dll) ? replacement_for(name, real) : nullptr;
}

}  // namespace vr::windows::pinned
