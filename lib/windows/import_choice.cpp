// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/import_choice.hpp"

#include <cstdint>
#include <cstring>
#include <string_view>
#include <unordered_set>

#include "windows/pinned_clocks.hpp"
#include "windows/pinned_heap.hpp"
#include "windows/pinned_imports.hpp"

namespace vr::windows::pinned {

bool provider(const char* dll) {
    char lower[64];
    std::size_t n = 0;
    for (; dll[n] && n + 1 < sizeof lower; ++n)
        lower[n] = static_cast<char>(dll[n] >= 'A' && dll[n] <= 'Z' ? dll[n] + 32 : dll[n]);
    lower[n] = '\0';
    static const char* const exact[] = {"kernel32.dll",  "kernelbase.dll",       "advapi32.dll",
                                        "cryptbase.dll", "bcrypt.dll",           "ucrtbase.dll",
                                        "winmm.dll",     "bcryptprimitives.dll", "ucrtbased.dll"};
    for (const char* e : exact)
        if (std::strcmp(lower, e) == 0) return true;
    static const char* const prefixes[] = {"msvcr",
                                           "msvcp",
                                           "api-ms-win-crt-",
                                           "api-ms-win-core-sysinfo-",
                                           "api-ms-win-core-profile-",
                                           "api-ms-win-core-realtime-",
                                           "api-ms-win-core-synch-",
                                           "api-ms-win-core-heap-",
                                           "api-ms-win-mm-time-",
                                           "api-ms-win-core-libraryloader-",
                                           "api-ms-win-security-cryptoapi-"};
    for (const char* p : prefixes)
        if (std::strncmp(lower, p, std::strlen(p)) == 0) return true;
    return false;
}

bool replaced_name(const char* name) {
    // Beside the hash, which names could be replaced by their first
    // character and length (each modulo 64): most of a plugin's imports are
    // refused there, without hashing the name (perf of 200 pairs of pinned
    // and real JUCE one-offs: the hash and its lookups 15 to 20 us a
    // pinned one-off, about 8 after).
    struct replaced {
        std::unordered_set<std::string_view> names;
        std::uint64_t lengths_by_first[64] = {};
        void add(std::string_view n) {
            names.emplace(n);
            if (!n.empty()) lengths_by_first[static_cast<unsigned char>(n[0]) % 64] |= std::uint64_t{1} << (n.size() % 64);
        }
    };
    static const replaced all = [] {
        replaced r;
        for (std::string_view n : pin_names()) r.add(n);
        for (std::string_view n : clock_names()) r.add(n);
        for (std::string_view n : heap_names()) r.add(n);
        return r;
    }();
    const std::string_view n(name);
    if (n.empty() || !((all.lengths_by_first[static_cast<unsigned char>(n[0]) % 64] >> (n.size() % 64)) & 1))
        return false;
    return all.names.contains(n);
}

}  // namespace vr::windows::pinned
