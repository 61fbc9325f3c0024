// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for lib/plugins/windows_plugin: which paths are Windows
// plugins, the module inside a bundle, and why one cannot load in a wine
// prefix (bundles, headers, entry points, DLLs missing from the prefix),
// on DLLs the tests write (pe_builder.hpp) and real ones (tests/fixtures/pe)
// in prefixes made of folders.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "audio_test_util.hpp"
#include "fixtures.hpp"
#include "pe_builder.hpp"
#include "plugins/windows_plugin.hpp"

namespace {

namespace fs = std::filesystem;
using vr::pe_info;
using vr_test::build_pe;
using vr_test::pe_spec;
using strings = std::vector<std::string>;

void write(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                 static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::uint8_t> dll(strings exports, strings imports = {}) {
    pe_spec spec;
    spec.exports = std::move(exports);
    spec.imports = std::move(imports);
    return build_pe(spec).bytes;
}

pe_info module(bool pe32_plus, std::uint16_t machine, bool is_dll, strings exports) {
    pe_info pe;
    pe.pe32_plus = pe32_plus;
    pe.machine = machine;
    pe.dll = is_dll;
    pe.exports = std::move(exports);
    return pe;
}

// A prefix of folders: system.reg and the system folders holding empty
// files of the given names (only names matter to missing_imports).
fs::path make_prefix(const fs::path& dir, const strings& system32, const strings& windows = {}) {
    fs::create_directories(dir / "drive_c/windows/system32");
    std::ofstream(dir / "system.reg") << "WINE REGISTRY Version 2\n\n#arch=win64\n";
    for (const auto& name : system32) std::ofstream(dir / "drive_c/windows/system32" / name);
    for (const auto& name : windows) std::ofstream(dir / "drive_c/windows" / name);
    return dir;
}

fs::path pe_fixture(const std::string& name) { return vr_test::fixtures() / "pe" / "files" / name; }

TEST(WindowsPlugin, WhichPathsAreWindowsPlugins) {
    vr::test::scratch_dir dir;
    fs::path root = dir.path();
    write(root / "Synth.dll", dll({"VSTPluginMain"}));
    write(root / "Upper.DLL", dll({"VSTPluginMain"}));
    write(root / "elf.dll", {0x7F, 'E', 'L', 'F', 2, 1, 1, 0});
    write(root / "pe.so", dll({"VSTPluginMain"}));
    write(root / "Single.vst3", dll({"GetPluginFactory"}));
    write(root / "Win.vst3/Contents/x86_64-win/Win.vst3", dll({"GetPluginFactory"}));
    fs::create_directories(root / "Both.vst3/Contents/x86_64-win");
    fs::create_directories(root / "Both.vst3/Contents/x86_64-linux");
    fs::create_directories(root / "Mac.vst3/Contents/MacOS");
    fs::create_directories(root / "Old.vst3/Contents/x86-win");
    fs::create_directories(root / "Folder.dll");

    EXPECT_TRUE(vr::is_windows_plugin((root / "Synth.dll").string()));
    EXPECT_TRUE(vr::is_windows_plugin((root / "Upper.DLL").string()));
    EXPECT_TRUE(vr::is_windows_plugin((root / "Single.vst3").string()));
    EXPECT_TRUE(vr::is_windows_plugin((root / "Win.vst3").string()));
    EXPECT_TRUE(vr::is_windows_plugin((root / "Win.vst3/").string()));
    EXPECT_TRUE(vr::is_windows_plugin((root / "Old.vst3").string()));  // 32-bit: its checks say so
    EXPECT_FALSE(vr::is_windows_plugin((root / "Both.vst3").string()));  // the Linux build loads natively
    EXPECT_FALSE(vr::is_windows_plugin((root / "Mac.vst3").string()));
    EXPECT_FALSE(vr::is_windows_plugin((root / "elf.dll").string()));
    EXPECT_FALSE(vr::is_windows_plugin((root / "pe.so").string()));
    EXPECT_FALSE(vr::is_windows_plugin((root / "Folder.dll").string()));
    EXPECT_FALSE(vr::is_windows_plugin((root / "missing.dll").string()));
    EXPECT_TRUE(vr::is_windows_plugin(pe_fixture("vst2-x86-gnu.dll").string()));
}

TEST(WindowsPlugin, TheModuleOfABundleIsNamedAfterIt) {
    vr::test::scratch_dir dir;
    fs::path bundle = fs::path(dir.path()) / "Serum2.vst3";
    fs::create_directories(bundle / "Contents/x86_64-win");
    EXPECT_EQ(vr::windows_plugin_module(bundle.string() + "/"), (bundle / "Contents/x86_64-win/Serum2.vst3").string());
    EXPECT_EQ(vr::windows_plugin_module(bundle.string()), (bundle / "Contents/x86_64-win/Serum2.vst3").string());
    EXPECT_EQ(vr::windows_plugin_module(dir.file("Serum_x64.dll")), dir.file("Serum_x64.dll"));
}

TEST(WindowsPlugin, BundlesWithoutA64BitWindowsModuleSaySo) {
    vr::test::scratch_dir dir;
    fs::path root = dir.path();
    auto reason = [&](const std::string& name) { return vr::windows_bundle_reason((root / name).string()); };
    fs::create_directories(root / "Mac.vst3/Contents/MacOS");
    fs::create_directories(root / "Mac.vst3/Contents/Resources");
    EXPECT_EQ(reason("Mac.vst3"),
              "the bundle holds only a macOS build (Contents/MacOS), no Windows build (Contents/x86_64-win)");
    fs::create_directories(root / "Old.vst3/Contents/x86-win");
    EXPECT_EQ(reason("Old.vst3"), "32-bit Windows plugin; only 64-bit plugins are hosted (the bundle has "
                                  "Contents/x86-win, no Contents/x86_64-win)");
    fs::create_directories(root / "Arm.vst3/Contents/arm64-win");
    fs::create_directories(root / "Arm.vst3/Contents/MacOS");
    EXPECT_EQ(reason("Arm.vst3"),
              "the bundle has no Contents/x86_64-win, so no 64-bit Windows build; it has Contents/MacOS, "
              "Contents/arm64-win");
    fs::create_directories(root / "Bare.vst3/Contents/Resources");
    EXPECT_EQ(reason("Bare.vst3"), "the bundle has no Contents/x86_64-win, nor a build for any system: not a VST3 bundle");
    fs::create_directories(root / "Empty.vst3/Contents/x86_64-win");
    EXPECT_EQ(reason("Empty.vst3"), "the bundle's Contents/x86_64-win holds no Empty.vst3 (the module is named after "
                                    "the bundle); it is empty");
    write(root / "Renamed.vst3/Contents/x86_64-win/Other.vst3", dll({"GetPluginFactory"}));
    EXPECT_EQ(reason("Renamed.vst3"), "the bundle's Contents/x86_64-win holds no Renamed.vst3 (the module is named "
                                      "after the bundle); it holds Other.vst3");
    write(root / "Good.vst3/Contents/x86_64-win/Good.vst3", dll({"GetPluginFactory"}));
    EXPECT_EQ(reason("Good.vst3"), "");
    EXPECT_EQ(reason("Good.vst3/Contents/x86_64-win/Good.vst3"), "");  // a file: no bundle to judge
}

TEST(WindowsPlugin, ModulesSayWhyTheirHeadersCannotBeHosted) {
    using vr::windows_module_reason;
    EXPECT_EQ(windows_module_reason(module(false, 0x014C, true, {"VSTPluginMain"}), false),
              "32-bit Windows plugin; only 64-bit plugins are hosted");
    EXPECT_EQ(windows_module_reason(module(true, 0xAA64, true, {"VSTPluginMain"}), false),
              "a Windows build for ARM64 (PE32+, ARM64); only x86-64 plugins are hosted");
    EXPECT_EQ(windows_module_reason(module(true, 0x8664, false, {"VSTPluginMain"}), false),
              "a Windows program (PE32+, x86-64), not a DLL: a plugin is a DLL");
    EXPECT_EQ(windows_module_reason(module(true, 0x8664, true, {"VSTPluginMain"}), false), "");
    EXPECT_EQ(windows_module_reason(module(true, 0x8664, true, {"main"}), false), "");
    EXPECT_EQ(windows_module_reason(module(true, 0x8664, true, {"GetPluginFactory", "InitDll"}), true), "");
    EXPECT_EQ(windows_module_reason(module(true, 0x8664, true, {"GetPluginFactory"}), false),
              "it exports GetPluginFactory (VST3), not VSTPluginMain or main (VST2): a VST3 plugin, which loads from "
              "a .vst3 file or bundle");
    EXPECT_EQ(windows_module_reason(module(true, 0x8664, true, {"VSTPluginMain"}), true),
              "it exports VSTPluginMain (VST2), not GetPluginFactory (VST3): a VST2 plugin, which loads from a .dll");
    EXPECT_EQ(windows_module_reason(module(true, 0x8664, true, {"DllMain", "Create\x01"}), false),
              "it exports DllMain, Create\\x01, but neither VSTPluginMain or main (VST2) nor GetPluginFactory (VST3): "
              "no VST2 or VST3 plugin");
    EXPECT_EQ(windows_module_reason(module(true, 0x8664, true, {"a", "b", "c", "d", "e", "f"}), true),
              "it exports a, b, c, d and 2 more, but neither VSTPluginMain or main (VST2) nor GetPluginFactory "
              "(VST3): no VST2 or VST3 plugin");
    EXPECT_EQ(windows_module_reason(module(true, 0x8664, true, {}), false),
              "it exports no functions: no VST2 or VST3 plugin");
}

TEST(WindowsPlugin, ImportsAreLookedForAsWindowsDoes) {
    vr::test::scratch_dir dir;
    fs::path prefix = make_prefix(fs::path(dir.path()) / "prefix", {"kernel32.dll", "USER32.DLL"}, {"twain_32.dll"});
    fs::create_directories(prefix / "drive_c/windows/system32/wbem");
    std::ofstream(prefix / "drive_c/windows/system32/wbem/wbemprox.dll");
    fs::path plugins = fs::path(dir.path()) / "plugins";
    // Beside the plugin: a DLL of its own that needs the C++ runtime, and
    // one that needs the first (a cycle back to it, too), and one that is no PE.
    write(plugins / "Helper.DLL", dll({}, {"msvcp140.dll", "kernel32.dll", "more.dll"}));
    write(plugins / "more.dll", dll({}, {"Helper.dll", "VCRUNTIME140.dll"}));
    write(plugins / "broken.dll", {'M', 'Z'});
    pe_info pe;
    pe.imports = {"KERNEL32.dll", "user32.dll", "TWAIN_32.dll", "wbemprox.dll", "api-ms-win-crt-runtime-l1-1-0.dll",
                  "ext-ms-win-gdi-dc-l1-2-0.dll", "helper.dll", "broken.dll", "d3dx9_43.dll", "MSVCP140.dll"};
    pe.delay_imports = {"notneeded.dll"};
    EXPECT_EQ(vr::missing_imports((plugins / "Synth.dll").string(), pe, prefix.string()),
              (strings{"d3dx9_43.dll", "MSVCP140.dll", "VCRUNTIME140.dll"}));
    pe.imports = {"KERNEL32.dll"};
    EXPECT_EQ(vr::missing_imports((plugins / "Synth.dll").string(), pe, prefix.string()), strings{});
    // A prefix that is not there finds nothing; it throws nothing either.
    EXPECT_EQ(vr::missing_imports((plugins / "Synth.dll").string(), pe, dir.file("nowhere")), strings{"KERNEL32.dll"});
}

TEST(WindowsPlugin, MissingImportsNameTheirPackage) {
    using vr::missing_imports_reason;
    EXPECT_EQ(missing_imports_reason({}), "");
    EXPECT_EQ(missing_imports_reason({"MSVCP140.dll", "VCRUNTIME140.dll"}),
              "needs MSVCP140.dll, VCRUNTIME140.dll, not in this prefix (the Visual C++ runtime)");
    EXPECT_EQ(missing_imports_reason({"d3dx9_43.dll", "ucrtbase.dll"}),
              "needs d3dx9_43.dll, ucrtbase.dll, not in this prefix (DirectX 9 and the Visual C++ runtime)");
    EXPECT_EQ(missing_imports_reason({"iLok.dll"}), "needs iLok.dll, not in this prefix");
    EXPECT_EQ(missing_imports_reason({"MSVCP140.dll", "iLok.dll", "VCRUNTIME140_1.dll", "D3DX9_43.DLL"}),
              "needs MSVCP140.dll, iLok.dll, VCRUNTIME140_1.dll, D3DX9_43.DLL, not in this prefix (MSVCP140.dll, "
              "VCRUNTIME140_1.dll: the Visual C++ runtime; D3DX9_43.DLL: DirectX 9)");
}

TEST(WindowsPlugin, RealDllsInAPrefix) {
    vr::test::scratch_dir dir;
    fs::path empty = make_prefix(fs::path(dir.path()) / "empty", {"kernel32.dll"});
    fs::path full = make_prefix(fs::path(dir.path()) / "full", {"kernel32.dll", "msvcr120.dll", "d3dx9_43.dll"});
    std::string gnu = pe_fixture("vst2-x64-gnu.dll").string(), lld = pe_fixture("vst2-x64-lld.dll").string();
    EXPECT_EQ(vr::windows_plugin_reason(gnu, empty.string()),
              "needs d3dx9_43.dll, MSVCR120.dll, not in this prefix (DirectX 9 and the Visual C++ runtime)");
    EXPECT_EQ(vr::windows_plugin_reason(gnu, full.string()), "");
    // d3dx9_43 is delay-loaded here: the plugin loads without it.
    EXPECT_EQ(vr::windows_plugin_reason(lld, empty.string()),
              "needs MSVCR120.dll, not in this prefix (the Visual C++ runtime)");
    EXPECT_EQ(vr::windows_plugin_reason(pe_fixture("vst2-x86-gnu.dll").string(), full.string()),
              "32-bit Windows plugin; only 64-bit plugins are hosted");
}

TEST(WindowsPlugin, BundlesAreJudgedByTheirModule) {
    vr::test::scratch_dir dir;
    fs::path prefix = make_prefix(fs::path(dir.path()) / "prefix", {"kernel32.dll"});
    fs::path bundle = fs::path(dir.path()) / "Synth.vst3";
    fs::path module = bundle / "Contents/x86_64-win/Synth.vst3";
    write(module, dll({"GetPluginFactory"}, {"KERNEL32.dll", "Synth-helper.dll"}));
    EXPECT_EQ(vr::windows_plugin_reason(bundle.string(), prefix.string()), "needs Synth-helper.dll, not in this prefix");
    write(module.parent_path() / "synth-helper.dll", dll({}, {"kernel32.dll"}));
    EXPECT_EQ(vr::windows_plugin_reason(bundle.string(), prefix.string()), "");
    write(module, dll({"VSTPluginMain"}));
    EXPECT_EQ(vr::windows_plugin_reason(bundle.string(), prefix.string()),
              "it exports VSTPluginMain (VST2), not GetPluginFactory (VST3): a VST2 plugin, which loads from a .dll");
    write(module, {'#', '!'});
    EXPECT_EQ(vr::windows_plugin_reason(bundle.string(), prefix.string()),
              module.string() + ": no MZ signature: not a Windows executable");
    fs::remove(module);
    EXPECT_EQ(vr::windows_plugin_reason(bundle.string(), prefix.string()),
              "the bundle's Contents/x86_64-win holds no Synth.vst3 (the module is named after the bundle); it holds "
              "synth-helper.dll");
    EXPECT_EQ(vr::windows_plugin_reason(dir.file("gone.dll"), prefix.string()),
              "cannot open " + dir.file("gone.dll") + ": No such file or directory");
}

}  // namespace
