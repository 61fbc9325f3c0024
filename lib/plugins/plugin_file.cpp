// SPDX-License-Identifier: GPL-3.0-or-later
#include "plugins/plugin_file.hpp"

#include <dlfcn.h>
#include <sys/utsname.h>

#include <cstdlib>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <system_error>
#include <utility>
#include <vector>

#include "core/cursor.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/text.hpp"
#include "plugins/pe_file.hpp"
#include "plugins/provenance.hpp"

namespace vr {

namespace {

namespace fs = std::filesystem;

// What this process is, and so the only ELF files it loads.
#if defined(__x86_64__)
constexpr std::uint16_t own_machine = 62;
constexpr const char* own_machine_name = "x86-64";
#elif defined(__aarch64__)
constexpr std::uint16_t own_machine = 183;
constexpr const char* own_machine_name = "ARM64";
#else
constexpr std::uint16_t own_machine = 0;  // unknown: the machine is not judged
constexpr const char* own_machine_name = "this machine";
#endif
constexpr int own_bits = sizeof(void*) * 8;
constexpr bool own_little_endian = std::endian::native == std::endian::little;

const char* const windows_note = "Linux cannot load Windows plugins natively";
const char* const macos_note = "Linux cannot load macOS plugins";

std::string elf_machine_name(std::uint16_t m) {
    switch (m) {
        case 2: return "SPARC";
        case 3: return "i386";
        case 8: return "MIPS";
        case 20: return "PowerPC";
        case 21: return "PowerPC 64";
        case 22: return "S/390";
        case 40: return "ARM";
        case 43: return "SPARC V9";
        case 62: return "x86-64";
        case 183: return "ARM64";
        case 243: return "RISC-V";
        case 258: return "LoongArch";
    }
    return "machine " + std::to_string(m);
}

std::string macho_cpu_name(std::uint32_t cpu) {
    switch (cpu) {
        case 7: return "i386";
        case 0x01000007: return "x86-64";
        case 12: return "ARM";
        case 0x0100000C: return "arm64";
        case 18: return "PowerPC";
        case 0x01000012: return "PowerPC 64";
    }
    return "cpu type " + std::to_string(cpu);
}

std::string this_process() {
    return "this render-one is " + std::to_string(own_bits) + "-bit " + own_machine_name + " and loads only " +
           std::to_string(own_bits) + "-bit " + own_machine_name + " plugins";
}

// The PE header an "MZ" file points to at 0x3C: machine, PE32 or PE32+, DLL or not.
std::string pe_reason(byte_cursor c) {
    try {
        c.seek(0x3C, "e_lfanew");
        std::uint32_t pe_at = c.u32le("e_lfanew");
        c.seek(pe_at, "e_lfanew");
        if (c.chars(4, "PE signature") != std::string_view("PE\0\0", 4)) throw format_error("no PE signature", 0);
        std::uint16_t machine = c.u16le("COFF machine");
        c.skip(16, "COFF header");
        std::uint16_t characteristics = c.u16le("COFF characteristics");
        std::uint16_t magic = c.u16le("optional header magic");
        std::string kind = (characteristics & 0x2000) ? "a Windows DLL" : "a Windows program";
        std::string pe = magic == 0x20B ? "PE32+" : magic == 0x10B ? "PE32" : "PE";
        return kind + " (" + pe + ", " + pe_machine_name(machine) + "): " + windows_note;
    } catch (const format_error&) {
        return std::string("a Windows or DOS program (MZ header): ") + windows_note;
    }
}

std::string macho_reason(byte_cursor c, std::uint32_t magic) {
    try {
        if (magic == 0xCAFEBABE || magic == 0xCAFEBABF) {
            std::uint32_t n = c.u32be("nfat_arch");
            std::string archs;
            for (std::uint32_t i = 0; i < n; ++i) {
                archs += (i ? ", " : "") + macho_cpu_name(c.u32be("cputype"));
                c.skip(magic == 0xCAFEBABE ? 16 : 28, "fat_arch");
            }
            return "a macOS universal binary (Mach-O: " + archs + "): " + macos_note;
        }
        bool swapped = magic == 0xCEFAEDFE || magic == 0xCFFAEDFE;
        bool wide = magic == 0xFEEDFACF || magic == 0xCFFAEDFE;
        std::uint32_t cpu = swapped ? c.u32le("cputype") : c.u32be("cputype");
        return std::string("a macOS binary (Mach-O, ") + (wide ? "64" : "32") + "-bit " + macho_cpu_name(cpu) +
               "): " + macos_note;
    } catch (const format_error&) {
        return std::string("a truncated macOS binary (Mach-O): ") + macos_note;
    }
}

std::string elf_reason(byte_cursor c, std::size_t size) {
    try {
        c.skip(4, "ELF magic");
        std::uint8_t cls = c.u8("EI_CLASS"), data = c.u8("EI_DATA");
        int bits = cls == 1 ? 32 : cls == 2 ? 64 : 0;
        bool little = data == 1;
        c.seek(16, "e_type");
        std::uint16_t type = little ? c.u16le("e_type") : c.u16be("e_type");
        std::uint16_t machine = little ? c.u16le("e_machine") : c.u16be("e_machine");
        std::string what = "a " + (bits ? std::to_string(bits) + "-bit " : std::string()) + "ELF for " +
                           elf_machine_name(machine) + (little ? "" : " (big-endian)");
        if ((own_machine && machine != own_machine) || bits != own_bits || little != own_little_endian)
            return what + ": " + this_process();
        if (type == 1) return "an ELF object file (.o), not a shared library: link it with -shared";
        if (type == 2) return "an ELF program, not a shared library";
        if (type == 4) return "a core dump, not a shared library";
        return "";
    } catch (const format_error&) {
        return "a truncated ELF file (" + std::to_string(size) + " bytes)";
    }
}

bool has_prefix(std::span<const std::uint8_t> b, std::string_view p) {
    return b.size() >= p.size() && std::equal(p.begin(), p.end(), b.begin(),
                                              [](char x, std::uint8_t y) { return static_cast<std::uint8_t>(x) == y; });
}

std::vector<std::string> sorted_names(const fs::path& folder, bool folders_only) {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
        if (!folders_only || it->is_directory(ec)) names.push_back(it->path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::string joined(const std::vector<std::string>& items, const std::string& prefix = "") {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : ", ") + prefix + s;
    return out;
}

// What the folders of a bundle's Contents are builds for: "a Windows build
// (x86_64-win)", "a macOS build (MacOS)", "a Linux build for aarch64".
std::string builds_in(const std::vector<std::string>& folders) {
    std::vector<std::string> builds;
    bool windows = false, macos = false;
    for (const auto& f : folders) {
        if (f.ends_with("-win")) {
            builds.push_back("a Windows build (" + f + ")");
            windows = true;
        } else if (f == "MacOS") {
            builds.push_back("a macOS build (MacOS)");
            macos = true;
        } else if (f.ends_with("-linux")) {
            builds.push_back("a Linux build for " + f.substr(0, f.size() - 6));
        }
    }
    if (builds.empty()) return "no build for any system";
    std::string out;
    for (std::size_t i = 0; i < builds.size(); ++i)
        out += (i == 0 ? "" : i + 1 == builds.size() ? " and " : ", ") + builds[i];
    if (windows || macos)
        out += std::string("; ") + (windows && macos ? "Linux cannot load Windows or macOS plugins natively"
                                     : windows        ? windows_note
                                                      : macos_note);
    return out;
}

// dlopen's verdict on a binary whose header is fine, and whether it exports
// one of its format's entry points.
std::string loader_reason(const std::string& path, std::initializer_list<const char*> entry_points,
                          const char* format) {
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* err = ::dlerror();
        return loader_error_reason(path, err ? err : "");
    }
    bool found = false;
    std::vector<std::string> names;
    for (const char* name : entry_points) {
        names.emplace_back(name);
        if (::dlsym(handle, name)) found = true;
    }
    ::dlclose(handle);
    if (found) return "";
    std::string list;
    for (std::size_t i = 0; i < names.size(); ++i) list += (i ? " or " : "") + names[i];
    return std::string("it exports no ") + list + ": not a " + format + " plugin";
}

// The header, then the loader, of a binary that should hold a plugin.
std::string binary_reason(const std::string& path, std::initializer_list<const char*> entry_points,
                          const char* format) {
    std::string why = foreign_file_reason(path);
    return why.empty() ? loader_reason(path, entry_points, format) : why;
}

}  // namespace

std::string foreign_binary_reason(std::span<const std::uint8_t> head) {
    byte_cursor c(head);
    if (head.empty()) return "an empty file";
    if (has_prefix(head, "\x7F" "ELF")) return elf_reason(c, head.size());
    if (has_prefix(head, "MZ")) return pe_reason(c);
    if (head.size() >= 4) {
        std::uint32_t magic = byte_cursor(head).u32be("magic");
        c.skip(4, "magic");
        if (magic == 0xFEEDFACE || magic == 0xFEEDFACF || magic == 0xCEFAEDFE || magic == 0xCFFAEDFE)
            return macho_reason(c, magic);
        // Java class files share the fat magic; their version numbers read as
        // a count of architectures far above any real one.
        if ((magic == 0xCAFEBABE || magic == 0xCAFEBABF) && head.size() >= 8 &&
            byte_cursor(head.subspan(4)).u32be("nfat_arch") < 32)
            return macho_reason(c, magic);
    }
    if (has_prefix(head, "PK\x03\x04")) return "a zip archive, not a shared library: unpack it first";
    if (has_prefix(head, "#!")) return "a script, not a shared library";
    return "not a shared library (no ELF header; it starts with '" +
           printable_excerpt(std::string_view(reinterpret_cast<const char*>(head.data()), head.size()), 16) + "')";
}

std::string foreign_file_reason(const std::string& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return "";  // never block on a FIFO
    std::ifstream in(path, std::ios::binary);
    if (!in) return "";
    std::vector<std::uint8_t> head(4096);
    in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    return foreign_binary_reason(head);
}

std::string loader_error_reason(const std::string& path, std::string_view text) {
    std::string_view rest = text;
    if (rest.starts_with(path + ": ")) rest.remove_prefix(path.size() + 2);
    constexpr std::string_view missing = ": cannot open shared object file: No such file or directory";
    if (rest.ends_with(missing) && rest.find(": ") == rest.size() - missing.size()) {
        std::string lib(rest.substr(0, rest.size() - missing.size()));
        return "it needs " + lib + ", which the dynamic loader cannot find (ldd " + path +
               " lists the libraries it needs)";
    }
    return "the dynamic loader says: " + std::string(rest.empty() ? "nothing" : rest);
}

std::string vst3_arch_folder() {
    struct utsname u {};
    std::string machine = ::uname(&u) == 0 ? u.machine : "x86_64";
    return "Contents/" + machine + "-linux";
}

std::string vst3_bundle_reason(const std::string& bundle) {
    std::error_code ec;
    fs::path root(bundle);
    if (!fs::is_directory(root, ec)) {
        std::string why = foreign_file_reason(bundle);
        return why.empty() ? "a single file, not a bundle: a Linux VST3 is a folder holding " + vst3_arch_folder() +
                                 "/" + root.stem().string() + ".so"
                           : why;
    }
    const std::string arch = vst3_arch_folder();
    if (!fs::is_directory(root / arch, ec)) {
        auto folders = sorted_names(root / "Contents", true);
        if (folders.empty()) return "the bundle has no " + arch + " folder (nor any other: not a VST3 bundle)";
        return "the bundle has no " + arch + " folder, so no build for this machine; it has " + joined(folders, "Contents/") +
               ": " + builds_in(folders);
    }
    std::string so = root.stem().string() + ".so";
    if (!fs::exists(root / arch / so, ec)) {
        auto files = sorted_names(root / arch, false);
        return "the bundle has no " + arch + "/" + so + " (the binary is named after the bundle); " + arch +
               (files.empty() ? " is empty" : " holds " + joined(files));
    }
    std::string why = binary_reason((root / arch / so).string(), {"GetPluginFactory"}, "VST3");
    return why.empty() ? "" : arch + "/" + so + ": " + why;
}

std::string foreign_bundle_reason(const std::string& folder) {
    std::error_code ec;
    auto folders = sorted_names(fs::path(folder) / "Contents", true);
    if (folders.empty()) return "";
    return "a bundle with " + joined(folders, "Contents/") + ": " + builds_in(folders);
}

std::string plugin_load_reason(const plugin_ref& plugin) {
    std::error_code ec;
    switch (plugin.format) {
        case plugin_format::vst2: {
            if (fs::is_directory(plugin.location, ec)) {
                std::string bundle = foreign_bundle_reason(plugin.location);
                return "a folder, not a VST2 .so file" + (bundle.empty() ? "" : " (" + bundle + ")");
            }
            return binary_reason(plugin.location, {"VSTPluginMain", "main"}, "VST2");
        }
        case plugin_format::vst3: return vst3_bundle_reason(plugin.location);
        case plugin_format::lv2: {
            std::string binary = plugin_binary_path(plugin);
            if (binary.empty()) return "";
            if (!fs::exists(binary, ec)) return "its manifest names the binary " + binary + ", which does not exist";
            std::string why = binary_reason(binary, {"lv2_descriptor"}, "LV2");
            return why.empty() ? "" : binary + ": " + why;
        }
        case plugin_format::faust: break;  // a program: its compile says what is wrong
    }
    return "";
}

void use_plugin_home(const std::string& dir) {
    const std::pair<const char*, const char*> xdg[] = {
        {"XDG_CONFIG_HOME", "/.config"}, {"XDG_DATA_HOME", "/.local/share"}, {"XDG_CACHE_HOME", "/.cache"}};
    for (const auto& [variable, folder] : xdg) make_dirs(dir + folder);
    ::setenv("HOME", dir.c_str(), 1);
    for (const auto& [variable, folder] : xdg) ::setenv(variable, (dir + folder).c_str(), 1);
}

}  // namespace vr
