// SPDX-License-Identifier: GPL-3.0-or-later
// A plugin's files: why one cannot be loaded here, told from what the file
// is (its magic bytes and ELF header, a bundle's folders, the dynamic
// loader's own error), and the HOME where plugins keep theirs. No JUCE
// here: the host asks once JUCE has failed to open a plugin, and
// resolve_plugin asks of a path whose extension names no format.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "plugins/plugin_ref.hpp"

namespace vr {

// What a binary's first bytes (up to 4 KiB of them) say it is, when that is
// something this process cannot load: a phrase to follow "cannot load plugin
// PATH: ", such as "a Windows DLL (PE32+, x86-64): Linux cannot load Windows
// plugins natively", "a macOS binary (Mach-O, 64-bit arm64): ...", "a 32-bit
// ELF for i386: ...". "" for an ELF shared object of this machine, whose
// header is fine (the dynamic loader then has its say).
std::string foreign_binary_reason(std::span<const std::uint8_t> head);

// foreign_binary_reason of the file at path, or "" when it cannot be read.
std::string foreign_file_reason(const std::string& path);

// The dynamic loader's error for path made into a phrase: a missing library
// named ("it needs libfoo.so.1, which the dynamic loader cannot find ..."),
// anything else as dlerror gave it, its leading "PATH: " dropped.
std::string loader_error_reason(const std::string& path, std::string_view dlerror_text);

// The folder of a .vst3 bundle that holds this machine's build, as JUCE
// looks for it: "Contents/x86_64-linux" on x86-64.
std::string vst3_arch_folder();

// Why a .vst3 bundle (or a file named .vst3) holds nothing this machine
// loads: no Contents/x86_64-linux (naming the folders it has, and the
// systems they are for), no .so named after the bundle in it, or a binary
// foreign_binary_reason refuses. "" when the bundle looks loadable.
std::string vst3_bundle_reason(const std::string& bundle);

// Why a folder is not a plugin file, when it is a bundle for another system
// (a macOS .vst or .component, a VST3 bundle under another name): its
// Contents folders named. "" when it has no Contents folder.
std::string foreign_bundle_reason(const std::string& folder);

// Why a plugin JUCE could not open cannot be loaded, as far as the file
// tells: the reasons above, then the dynamic loader's error, or a binary
// that loads but exports no entry point of its format (VSTPluginMain or
// main, GetPluginFactory, lv2_descriptor). "" when nothing is found wrong.
// Loads the binary with dlopen when its header is fine (JUCE just did).
std::string plugin_load_reason(const plugin_ref& plugin);

// Makes dir (created when missing) the HOME of the plugins this process
// loads: creates the folders plugins write into and expect to exist
// (.config, .local/share, .cache: amsynth complains on every load without
// .local/share and saves no settings without .config) and points HOME,
// XDG_CONFIG_HOME, XDG_DATA_HOME and XDG_CACHE_HOME at them. Throws
// record_error naming a folder that cannot be made.
void use_plugin_home(const std::string& dir);

}  // namespace vr
