// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/import_choice.hpp"

#include <cstdint>
#include <string_view>
#include <unordered_map>

#include "windows/pinned_clocks.hpp"
#include "windows/pinned_crt.hpp"
#include "windows/pinned_heap.hpp"
#include "windows/pinned_imports.hpp"
#include "windows/pinned_msvcp.hpp"
#include "windows/pinned_timers.hpp"
#include "windows/pinned_wall.hpp"

namespace vr::windows::pinned {

bool provider(const char* dll) {
    // Asked of each import table of a plugin's module and at each
    // GetProcAddress a pinned module makes: the names' lengths are known at
    // compile time, so no strlen.
    char lower[64];
    std::size_t n = 0;
    for (; dll[n] && n < sizeof lower; ++n)
        lower[n] = static_cast<char>(dll[n] >= 'A' && dll[n] <= 'Z' ? dll[n] + 32 : dll[n]);
    const bool whole = !dll[n];  // else its first 64 characters, for the prefixes
    const std::string_view name(lower, n);
    static constexpr std::string_view exact[] = {"kernel32.dll",  "kernelbase.dll",       "advapi32.dll",
                                                 "cryptbase.dll", "bcrypt.dll",           "ucrtbase.dll",
                                                 "winmm.dll",     "bcryptprimitives.dll", "ucrtbased.dll"};
    for (std::string_view e : exact)
        if (whole && name == e) return true;
    static constexpr std::string_view prefixes[] = {"msvcr",
                                                    "msvcp",
                                                    "api-ms-win-crt-",
                                                    "api-ms-win-core-sysinfo-",
                                                    "api-ms-win-core-profile-",
                                                    "api-ms-win-core-realtime-",
                                                    "api-ms-win-core-synch-",
                                                    "api-ms-win-core-handle-",
                                                    "api-ms-win-core-heap-",
                                                    "api-ms-win-mm-time-",
                                                    "api-ms-win-core-libraryloader-",
                                                    "api-ms-win-security-cryptoapi-"};
    for (std::string_view p : prefixes)
        if (name.starts_with(p)) return true;
    return false;
}

namespace {

// A name's first three characters (fewer for a shorter name), as one of
// 4,096 bits. Reads no further than the name's end.
unsigned first_three(const char* name) {
    unsigned h = static_cast<unsigned char>(name[0]);
    if (name[0]) {
        h = h * 31 + static_cast<unsigned char>(name[1]);
        if (name[1]) h = h * 31 + static_cast<unsigned char>(name[2]);
    }
    return h % 4096;
}

}  // namespace

const replacing* replaced(const char* name) {
    // Beside the hash, which names could be replaced by their first three
    // characters: most of a plugin's imports are refused there, neither
    // measured nor hashed (of the JUCE test synth's 282 imports of the
    // system's DLLs, 53 pass, most of them Get...). Before, the hash and
    // its lookups of every name took 15 to 20 us a pinned one-off (perf of
    // 200 pairs against real); a filter of first characters and lengths
    // needed each name's strlen (with provider()'s of its prefixes, 23,000
    // instructions of strlen, bench/pinning_counts).
    struct table {
        std::unordered_map<std::string_view, replacing> names;
        std::uint64_t firsts[4096 / 64] = {};
        void add(std::string_view n, pin_family family, void* with) {
            names.emplace(n, replacing{family, with});
            const unsigned b = first_three(n.data());
            firsts[b / 64] |= std::uint64_t{1} << (b % 64);
        }
    };
    static const table all = [] {
        table t;
        for (const pin_entry& p : pins()) t.add(p.name, pin_family::randomness, p.with);
        for (const pin_entry& p : wall_pins()) t.add(p.name, pin_family::randomness, p.with);
        for (const pin_entry& p : clock_pins()) t.add(p.name, pin_family::clock, p.with);
        for (const pin_entry& p : timer_pins()) t.add(p.name, pin_family::clock, p.with);
        for (const pin_entry& p : heap_pins()) t.add(p.name, pin_family::heap, p.with);
        for (std::string_view n : crt_names()) t.add(n, pin_family::crt, nullptr);
        for (std::string_view n : msvcp_names()) t.add(n, pin_family::msvcp, nullptr);
        return t;
    }();
    const unsigned b = first_three(name);
    if (!((all.firsts[b / 64] >> (b % 64)) & 1)) return nullptr;
    const auto found = all.names.find(name);
    return found == all.names.end() ? nullptr : &found->second;
}

}  // namespace vr::windows::pinned
