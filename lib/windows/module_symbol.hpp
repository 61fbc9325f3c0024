// SPDX-License-Identifier: GPL-3.0-or-later
// The Windows worker's linux/module_symbol.hpp: a function a loaded plugin
// module exports, found from an address inside it or from its file.
#pragma once
#include <string>

namespace vr::host {

// The address of `name` as exported by the DLL already loaded that holds
// `inside` (never loading one); nullptr if none holds it or it exports no
// such name.
void* module_symbol_at(const void* inside, const char* name);

// The address of `name` as exported by the DLL already loaded from the file
// `path` (UTF-8; never loading it); nullptr if none is, or it exports no
// such name.
void* module_symbol_in(const std::string& path, const char* name);

}  // namespace vr::host
