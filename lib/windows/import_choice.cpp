// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/import_choice.hpp"

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
    static const std::unordered_set<std::string_view> names = [] {
        std::unordered_set<std::string_view> all;
        for (std::string_view n : pin_names()) all.emplace(n);
        for (std::string_view n : clock_names()) all.emplace(n);
        for (std::string_view n : heap_names()) all.emplace(n);
        return all;
    }();
    return names.contains(name);
}

}  // namespace vr::windows::pinned
