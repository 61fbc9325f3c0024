// SPDX-License-Identifier: GPL-3.0-or-later
// A function a loaded plugin module exports, found from an address inside
// it or from its file (windows/module_symbol.hpp is the Windows worker's twin).
#pragma once
#include <string>

namespace vr::host {

// The address of `name` as exported by the shared object already loaded
// that holds `inside` (never loading one); nullptr if none holds it or it
// exports no such name.
void* module_symbol_at(const void* inside, const char* name);

// The address of `name` as exported by the shared object already loaded
// from the file `path` (never loading it); nullptr if none is, or it exports
// no such name.
void* module_symbol_in(const std::string& path, const char* name);

}  // namespace vr::host
