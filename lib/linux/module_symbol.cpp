// SPDX-License-Identifier: GPL-3.0-or-later
#include "linux/module_symbol.hpp"

#include <dlfcn.h>

namespace vr::host {

void* module_symbol_in(const std::string& path, const char* name) {
    if (path.empty()) return nullptr;
    // RTLD_NOLOAD finds the module its loader opened, and takes a reference
    // that dlclose gives back: the loader's own keeps it loaded.
    void* module = dlopen(path.c_str(), RTLD_LAZY | RTLD_NOLOAD);
    if (!module) return nullptr;
    void* symbol = dlsym(module, name);
    dlclose(module);
    return symbol;
}

void* module_symbol_at(const void* inside, const char* name) {
    Dl_info info{};
    if (dladdr(inside, &info) == 0 || !info.dli_fname) return nullptr;
    return module_symbol_in(info.dli_fname, name);
}

}  // namespace vr::host
