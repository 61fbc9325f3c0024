// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/module_restore.hpp"

#include <windows.h>

#include <cstring>
#include <vector>

#include "core/size_classes.hpp"
#include "core/plugin_clock.hpp"
#include "windows/image_headers.hpp"
#include "windows/pinned_heap.hpp"
#include "windows/pinned_imports.hpp"
#include "windows/plugin_arena.hpp"
#include "windows/plugin_stack.hpp"
#include "windows/wide_text.hpp"

namespace vr::windows {

namespace {

// Bytes at a fixed place, as they were.
struct saved_bytes {
    BYTE* at = nullptr;
    std::vector<BYTE> bytes;
};

// FLS and TLS slots read: Windows has at most 4,096 and 1,088 of them.
constexpr DWORD fls_slots = 4096;
constexpr DWORD tls_slots = 64 + 1024;

struct snapshot {
    bool taken = false;
    std::vector<saved_bytes> sections;    // the modules' writable sections
    std::vector<saved_bytes> tls_blocks;  // their static TLS on this thread
    std::vector<void*> fls, tls;          // the slots' values
    arena_snapshot arena;
    pinned::heap_table heaps;
};

snapshot g_snapshot;
std::vector<std::wstring> g_kept;  // the paths loaded for keeps
bool g_unsaved = false;            // a module kept with no snapshot taken

saved_bytes save(BYTE* at, std::size_t n) { return {at, std::vector<BYTE>(at, at + n)}; }

void save_module(BYTE* base, snapshot& s) {
    const auto* nt = image_headers(base);
    if (!nt) return;
    const IMAGE_SECTION_HEADER* section = IMAGE_FIRST_SECTION(nt);
    for (WORD i = 0; i < nt->FileHeader.NumberOfSections; ++i, ++section) {
        if (!(section->Characteristics & IMAGE_SCN_MEM_WRITE)) continue;
        const DWORD size = section->Misc.VirtualSize ? section->Misc.VirtualSize : section->SizeOfRawData;
        if (size) s.sections.push_back(save(base + section->VirtualAddress, size));
    }
    const auto& d = nt->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_TLS];
    if (nt->OptionalHeader.NumberOfRvaAndSizes <= IMAGE_DIRECTORY_ENTRY_TLS || !d.VirtualAddress) return;
    const auto* tls = reinterpret_cast<const IMAGE_TLS_DIRECTORY64*>(base + d.VirtualAddress);
    if (!tls->AddressOfIndex || tls->EndAddressOfRawData < tls->StartAddressOfRawData) return;
    const DWORD index = *reinterpret_cast<const DWORD*>(tls->AddressOfIndex);
    // The thread's array of static TLS blocks, one a module: the TEB's
    // ThreadLocalStoragePointer, 0x58 bytes in on x64 (read through gs:
    // GCC 12 takes NtCurrentTeb's own read for an access out of bounds).
    BYTE** blocks = nullptr;
    __asm__("movq %%gs:0x58, %0" : "=r"(blocks));
    const std::size_t size = tls->EndAddressOfRawData - tls->StartAddressOfRawData + tls->SizeOfZeroFill;
    if (blocks && blocks[index] && size) s.tls_blocks.push_back(save(blocks[index], size));
}

void take_snapshot() {
    snapshot s;
    for (void* base : pinned::plugin_modules()) save_module(static_cast<BYTE*>(base), s);
    for (DWORD i = 0; i < fls_slots; ++i) s.fls.push_back(FlsGetValue(i));
    for (DWORD i = 0; i < tls_slots; ++i) s.tls.push_back(TlsGetValue(i));
    s.arena = plugin_arena().snapshot();
    s.heaps = pinned::heaps_now();
    s.taken = true;
    SetLastError(0);  // FlsGetValue and TlsGetValue of free slots set it
    g_snapshot = std::move(s);
}

// A slot back to its value then, if that or its value now is the plugin's
// (a block of the arena): the worker's and wine's own slots stay.
template <typename Get, typename Set>
void slots_back(const std::vector<void*>& then, Get get, Set set) {
    const size_class_arena& arena = plugin_arena();
    for (DWORD i = 0; i < then.size(); ++i) {
        void* now = get(i);
        if (now != then[i] && (arena.contains(now) || arena.contains(then[i]))) set(i, then[i]);
    }
}

bool kept(const std::wstring& path) {
    for (const auto& k : g_kept)
        if (_wcsicmp(k.c_str(), path.c_str()) == 0) return true;
    return false;
}

}  // namespace

void keep_module(const plugin_ref& ref, int sample_rate, bool restores) {
    if (ref.format != plugin_format::vst2 && ref.format != plugin_format::vst3) return;
    if (!pinned::enabled() || !plugin_arena().started()) return;
    const std::wstring path = wide_text(ref.location);
    if (kept(path)) return;
    // A call of its own, as every process makes it first: the module's
    // DllMain allocates from the arena and reads a clock of its own.
    plugin_clock loading(sample_rate);
    const bool loaded = [&] {
        inside_plugin inside(loading);  // what host/plugin_call.hpp's call_plugin does on Windows
        scrub_stack(false);
        // As JUCE's hosts load it (a plain LoadLibrary of the full path).
        HMODULE m = LoadLibraryW(path.c_str());
        if (!m) return false;  // JUCE's own load says why
        if (ref.format == plugin_format::vst3) {
            using init_fn = bool (*)();
            using factory_fn = void* (*)();
            if (auto init = reinterpret_cast<init_fn>(reinterpret_cast<void*>(GetProcAddress(m, "InitDll"))))
                init();
            // Kept, never released: JUCE's host keeps the factory to the
            // process's end too.
            if (auto factory =
                    reinterpret_cast<factory_fn>(reinterpret_cast<void*>(GetProcAddress(m, "GetPluginFactory"))))
                factory();
        }
        return true;
    }();
    if (!loaded) return;
    g_kept.push_back(path);
    if (!restores) {
        // The one trace take_snapshot leaves that the plugin could see.
        SetLastError(0);
        g_unsaved = true;
        return;
    }
    take_snapshot();
}

std::string restore_modules() {
    if (!pinned::enabled()) return "the plugin's randomness is not pinned in this worker (--real-randomness)";
    if (!plugin_arena().started())
        return "the Windows worker has no plugin arena (VR_PLUGIN_ARENA=off, or its address is taken)";
    if (g_unsaved)
        return "this Windows worker took no snapshot as it loaded the plugin (it was started for jobs that need "
               "no restore)";
    if (!g_snapshot.taken) return {};  // no plugin loaded yet: as a new process already
    const snapshot& s = g_snapshot;
    pinned::heaps_back(s.heaps);
    if (!plugin_arena().restore(s.arena)) return "the plugin arena's pages could not be committed again";
    for (const auto& b : s.sections) {
        MEMORY_BASIC_INFORMATION page;
        DWORD old = 0;
        // A module the plugin unloaded since (a helper DLL of its own) is
        // left alone: its pages are gone.
        if (!VirtualQuery(b.at, &page, sizeof page) || page.State != MEM_COMMIT || page.Type != MEM_IMAGE) continue;
        // A section the loader left read-only since (an import table after
        // binding) is made writable for the copy, then put back.
        const bool writable = page.Protect & (PAGE_READWRITE | PAGE_EXECUTE_READWRITE | PAGE_WRITECOPY);
        if (!writable && !VirtualProtect(b.at, b.bytes.size(), PAGE_READWRITE, &old)) continue;
        std::memcpy(b.at, b.bytes.data(), b.bytes.size());
        if (!writable) VirtualProtect(b.at, b.bytes.size(), old, &old);
    }
    for (const auto& b : s.tls_blocks) std::memcpy(b.at, b.bytes.data(), b.bytes.size());
    slots_back(s.fls, [](DWORD i) { return FlsGetValue(i); }, [](DWORD i, void* v) { FlsSetValue(i, v); });
    slots_back(s.tls, [](DWORD i) { return TlsGetValue(i); }, [](DWORD i, void* v) { TlsSetValue(i, v); });
    SetLastError(0);
    return {};
}

}  // namespace vr::windows
