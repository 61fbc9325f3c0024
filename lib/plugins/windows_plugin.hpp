// SPDX-License-Identifier: GPL-3.0-or-later
// A Windows plugin on Linux: whether a path is one, the module file wine
// loads, and why it cannot load there, said before it is handed to wine
// (whose own word is a bare status code): a 32-bit or foreign build, no
// entry point, DLLs missing from the prefix, a bundle without a Windows
// build. Read from the files alone: nothing is run, nothing is changed.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "plugins/pe_file.hpp"

namespace vr {

// True when path names a plugin built for Windows: a .dll or a single-file
// .vst3 whose header is PE, or a .vst3 bundle folder whose Contents holds a
// Windows build (a folder named *-win) and no build for this machine
// (x86_64-linux). Never throws.
bool is_windows_plugin(const std::string& path);

// The file a Windows plugin's DLL is loaded from: path itself for a file,
// X.vst3/Contents/x86_64-win/X.vst3 for a VST3 bundle folder X.vst3
// (whether or not it exists: windows_bundle_reason says). Never throws.
std::string windows_plugin_module(const std::string& path);

// Why a VST3 bundle folder holds no 64-bit Windows module: only a macOS
// build, only a 32-bit Windows one, no Contents/x86_64-win (naming the
// folders it has), or no X.vst3 in it (naming what it holds). "" when the
// module is a file, or bundle is no folder. Never throws.
std::string windows_bundle_reason(const std::string& bundle);

// Why a module's headers say it cannot be hosted: "32-bit Windows plugin;
// only 64-bit plugins are hosted" (PE32, i386), a build for another
// machine, a program rather than a DLL, or none of its format's entry
// points (vst3: GetPluginFactory; else VSTPluginMain or main), naming a
// few of those it exports instead. "" when fine. Never throws.
std::string windows_module_reason(const pe_info& module, bool vst3);

// The DLLs the module at module_path imports (not those it delay-loads)
// that wine will not find in prefix: each is looked for, letters in any
// case, as Windows searches, in the prefix's drive_c/windows/system32,
// drive_c/windows and drive_c/windows/system32/wbem, then in the module's
// own folder (the host makes it the working folder), whose DLLs' imports
// are followed in turn; api-ms-win-* and ext-ms-* (API sets) wine resolves
// without a file. Names as the import tables spell them, each once. Never
// throws: a DLL beside the module that cannot be read is taken as it is.
std::vector<std::string> missing_imports(const std::string& module_path, const pe_info& module,
                                         const std::string& prefix);

// "needs MSVCP140.dll, VCRUNTIME140.dll, not in this prefix (the Visual C++
// runtime)": the parenthesis names the package of well-known runtime DLLs
// (the Visual C++ runtime, DirectX 9, ...) and is left off for others; ""
// when missing is empty.
std::string missing_imports_reason(const std::vector<std::string>& missing);

// The first reason the Windows plugin at path (a .dll, a .vst3 file or
// bundle) cannot load in prefix, from the checks above in turn, or a
// module that is missing or no readable PE file; "" when it may be handed
// to wine. Never throws record_error.
// Without a prefix, only what the file says alone (no imports looked for).
std::string windows_plugin_reason(const std::string& path, const std::optional<std::string>& prefix);

}  // namespace vr
