// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for lib/plugins/plugin_file: what a plugin file is, told from
// headers the tests write themselves, a bundle's folders, the loader's error,
// and the plugin HOME.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "audio_test_util.hpp"
#include "core/error.hpp"
#include "plugins/plugin_file.hpp"

namespace {

using vr::foreign_binary_reason;
using vr::test::scratch_dir;
using bytes = std::vector<std::uint8_t>;

void put16le(bytes& b, std::size_t at, unsigned v) {
    if (b.size() < at + 2) b.resize(at + 2);
    b[at] = v & 0xFF;
    b[at + 1] = (v >> 8) & 0xFF;
}

void put32le(bytes& b, std::size_t at, std::uint32_t v) {
    if (b.size() < at + 4) b.resize(at + 4);
    for (int i = 0; i < 4; ++i) b[at + i] = (v >> (8 * i)) & 0xFF;
}

void put32be(bytes& b, std::size_t at, std::uint32_t v) {
    if (b.size() < at + 4) b.resize(at + 4);
    for (int i = 0; i < 4; ++i) b[at + i] = (v >> (8 * (3 - i))) & 0xFF;
}

// An MZ stub pointing at a PE header: COFF machine and characteristics, then
// the optional header's magic (0x10B PE32, 0x20B PE32+).
bytes pe(unsigned machine, unsigned characteristics, unsigned magic) {
    bytes b(0x40, 0);
    b[0] = 'M';
    b[1] = 'Z';
    put32le(b, 0x3C, 0x40);
    b.resize(0x44, 0);
    b[0x40] = 'P';
    b[0x41] = 'E';
    put16le(b, 0x44, machine);
    put16le(b, 0x44 + 18, characteristics);
    put16le(b, 0x44 + 20, magic);
    return b;
}

// An ELF identification and header start: class (1: 32-bit, 2: 64-bit),
// data (1: little-endian), e_type, e_machine (little-endian).
bytes elf(int cls, int data, unsigned type, unsigned machine) {
    bytes b = {0x7F, 'E', 'L', 'F', static_cast<std::uint8_t>(cls), static_cast<std::uint8_t>(data), 1};
    b.resize(64, 0);
    put16le(b, 16, type);
    put16le(b, 18, machine);
    return b;
}

bytes text(const std::string& s) { return bytes(s.begin(), s.end()); }

void write(const std::string& path, const bytes& b) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()),
                                                static_cast<std::streamsize>(b.size()));
}

}  // namespace

TEST(PluginFile, WindowsBinariesSayLinuxCannotLoadThem) {
    EXPECT_EQ(foreign_binary_reason(pe(0x8664, 0x2022, 0x20B)),
              "a Windows DLL (PE32+, x86-64): Linux cannot load Windows plugins natively");
    EXPECT_EQ(foreign_binary_reason(pe(0x014C, 0x0102, 0x10B)),
              "a Windows program (PE32, i386): Linux cannot load Windows plugins natively");
    EXPECT_EQ(foreign_binary_reason(pe(0xAA64, 0x2022, 0x20B)),
              "a Windows DLL (PE32+, ARM64): Linux cannot load Windows plugins natively");
    // A stub whose PE header is cut off, or missing.
    bytes stub = pe(0x8664, 0x2022, 0x20B);
    stub.resize(0x46);
    EXPECT_EQ(foreign_binary_reason(stub), "a Windows or DOS program (MZ header): Linux cannot load Windows plugins natively");
    EXPECT_EQ(foreign_binary_reason(text("MZ")), "a Windows or DOS program (MZ header): Linux cannot load Windows plugins natively");
}

TEST(PluginFile, MachOBinariesSayMacOS) {
    bytes arm64 = {0xCF, 0xFA, 0xED, 0xFE, 0x0C, 0x00, 0x00, 0x01, 0, 0, 0, 0};
    EXPECT_EQ(foreign_binary_reason(arm64), "a macOS binary (Mach-O, 64-bit arm64): Linux cannot load macOS plugins");
    bytes i386 = {0xCE, 0xFA, 0xED, 0xFE, 0x07, 0x00, 0x00, 0x00};
    EXPECT_EQ(foreign_binary_reason(i386), "a macOS binary (Mach-O, 32-bit i386): Linux cannot load macOS plugins");
    bytes fat;
    put32be(fat, 0, 0xCAFEBABE);
    put32be(fat, 4, 2);
    put32be(fat, 8, 0x01000007);
    put32be(fat, 28, 0x0100000C);
    fat.resize(48, 0);
    EXPECT_EQ(foreign_binary_reason(fat),
              "a macOS universal binary (Mach-O: x86-64, arm64): Linux cannot load macOS plugins");
    fat.resize(20);
    EXPECT_EQ(foreign_binary_reason(fat), "a truncated macOS binary (Mach-O): Linux cannot load macOS plugins");
    // A Java class file has the same magic, then a version far above any
    // count of architectures: no Mach-O.
    bytes java = {0xCA, 0xFE, 0xBA, 0xBE, 0x00, 0x00, 0x00, 0x34};
    EXPECT_EQ(foreign_binary_reason(java).rfind("not a shared library (no ELF header", 0), 0u);
}

#if defined(__x86_64__)
TEST(PluginFile, ElfForAnotherMachineOrWidthIsNamed) {
    const std::string loads = ": this render-one is 64-bit x86-64 and loads only 64-bit x86-64 plugins";
    EXPECT_EQ(foreign_binary_reason(elf(1, 1, 3, 3)), "a 32-bit ELF for i386" + loads);
    EXPECT_EQ(foreign_binary_reason(elf(2, 1, 3, 183)), "a 64-bit ELF for ARM64" + loads);
    EXPECT_EQ(foreign_binary_reason(elf(1, 1, 3, 40)), "a 32-bit ELF for ARM" + loads);
    EXPECT_EQ(foreign_binary_reason(elf(2, 2, 3, 21 << 8)), "a 64-bit ELF for PowerPC 64 (big-endian)" + loads);
    EXPECT_EQ(foreign_binary_reason(elf(2, 1, 3, 999)), "a 64-bit ELF for machine 999" + loads);
    // This machine's shared object: nothing to say from its header.
    EXPECT_EQ(foreign_binary_reason(elf(2, 1, 3, 62)), "");
    EXPECT_EQ(foreign_binary_reason(elf(2, 1, 1, 62)),
              "an ELF object file (.o), not a shared library: link it with -shared");
    EXPECT_EQ(foreign_binary_reason(elf(2, 1, 2, 62)), "an ELF program, not a shared library");
}
#endif

TEST(PluginFile, OtherFilesSayWhatTheyStartWith) {
    EXPECT_EQ(foreign_binary_reason({}), "an empty file");
    EXPECT_EQ(foreign_binary_reason(text("\x7F" "ELF\x02")), "a truncated ELF file (5 bytes)");
    EXPECT_EQ(foreign_binary_reason(text("PK\x03\x04rest")), "a zip archive, not a shared library: unpack it first");
    EXPECT_EQ(foreign_binary_reason(text("#!/bin/sh\n")), "a script, not a shared library");
    EXPECT_EQ(foreign_binary_reason(text("hello, world, this is long text")),
              "not a shared library (no ELF header; it starts with 'hello, world, th...')");
    EXPECT_EQ(foreign_binary_reason(text(std::string("\x01\xFF", 2))),
              "not a shared library (no ELF header; it starts with '\\x01\\xFF')");
}

TEST(PluginFile, CutAndScrambledHeadersNeverThrow) {
    bytes fat;
    put32be(fat, 0, 0xCAFEBABE);
    put32be(fat, 4, 3);
    fat.resize(64, 0);
    const std::vector<bytes> headers = {pe(0x8664, 0x2022, 0x20B), elf(2, 1, 3, 62), elf(1, 2, 3, 20), fat,
                                        {0xCF, 0xFA, 0xED, 0xFE, 0x0C, 0x00, 0x00, 0x01}};
    std::mt19937 random(20261122);
    for (const auto& header : headers) {
        // A foreign header stays foreign however short (this machine's ELF
        // header passes once its first 20 bytes are there: the loader judges).
        const bool foreign = !foreign_binary_reason(header).empty();
        for (std::size_t n = 0; n <= header.size(); ++n) {
            bytes cut(header.begin(), header.begin() + static_cast<std::ptrdiff_t>(n));
            std::string why;
            EXPECT_NO_THROW(why = foreign_binary_reason(cut)) << n;
            if (foreign || n < 20) {
                EXPECT_FALSE(why.empty()) << "a cut header passed, " << n;
            }
        }
        for (int round = 0; round < 500; ++round) {
            bytes b = header;
            // Keep the magic, scramble the rest: offsets and counts point anywhere.
            for (std::size_t i = 4; i < b.size(); ++i)
                if (random() % 4 == 0) b[i] = static_cast<std::uint8_t>(random());
            EXPECT_NO_THROW(foreign_binary_reason(b));
        }
    }
}

TEST(PluginFile, FilesAreReadByTheirFirstBytesAndFifosNeverBlock) {
    scratch_dir dir;
    write(dir.file("Synth.dll"), pe(0x8664, 0x2022, 0x20B));
    EXPECT_EQ(vr::foreign_file_reason(dir.file("Synth.dll")),
              "a Windows DLL (PE32+, x86-64): Linux cannot load Windows plugins natively");
    bytes big = pe(0x8664, 0x2022, 0x20B);
    big.resize(1 << 20, 0x90);
    write(dir.file("big.so"), big);
    EXPECT_EQ(vr::foreign_file_reason(dir.file("big.so")),
              "a Windows DLL (PE32+, x86-64): Linux cannot load Windows plugins natively");
    EXPECT_EQ(vr::foreign_file_reason(dir.file("missing.so")), "");
    EXPECT_EQ(vr::foreign_file_reason(dir.path()), "");
    ASSERT_EQ(::mkfifo(dir.file("fifo.so").c_str(), 0600), 0);
    EXPECT_EQ(vr::foreign_file_reason(dir.file("fifo.so")), "");
}

TEST(PluginFile, LoaderErrorsNameTheMissingLibrary) {
    EXPECT_EQ(vr::loader_error_reason("/p/x.so",
                                      "/p/x.so: libstub.so.1: cannot open shared object file: No such file or directory"),
              "it needs libstub.so.1, which the dynamic loader cannot find (ldd /p/x.so lists the libraries it needs)");
    EXPECT_EQ(vr::loader_error_reason("/p/x.so", "/p/x.so: undefined symbol: frobnicate"),
              "the dynamic loader says: undefined symbol: frobnicate");
    EXPECT_EQ(vr::loader_error_reason("/p/x.so", "/other.so: invalid ELF header"),
              "the dynamic loader says: /other.so: invalid ELF header");
    EXPECT_EQ(vr::loader_error_reason("/p/x.so", ""), "the dynamic loader says: nothing");
}

TEST(PluginFile, Vst3BundlesNameTheFoldersTheyHave) {
    scratch_dir dir;
    const std::string arch = vr::vst3_arch_folder();
    EXPECT_EQ(arch.rfind("Contents/", 0), 0u);
    EXPECT_TRUE(arch.ends_with("-linux"));

    std::string win = dir.file("Win.vst3");
    write(win + "/Contents/x86_64-win/Win.vst3", pe(0x8664, 0x2022, 0x20B));
    std::filesystem::create_directories(win + "/Contents/Resources");
    EXPECT_EQ(vr::vst3_bundle_reason(win),
              "the bundle has no " + arch + " folder, so no build for this machine; it has Contents/Resources, "
              "Contents/x86_64-win: a Windows build (x86_64-win); Linux cannot load Windows plugins natively");

    std::string both = dir.file("Both.vst3");
    std::filesystem::create_directories(both + "/Contents/MacOS");
    std::filesystem::create_directories(both + "/Contents/x86_64-win");
    EXPECT_EQ(vr::vst3_bundle_reason(both),
              "the bundle has no " + arch + " folder, so no build for this machine; it has Contents/MacOS, Contents/x86_64-win: "
              "a macOS build (MacOS) and a Windows build (x86_64-win); "
              "Linux cannot load Windows or macOS plugins natively");

    std::string mac = dir.file("Mac.vst3");
    std::filesystem::create_directories(mac + "/Contents/MacOS");
    EXPECT_EQ(vr::vst3_bundle_reason(mac),
              "the bundle has no " + arch + " folder, so no build for this machine; it has Contents/MacOS: "
              "a macOS build (MacOS); Linux cannot load macOS plugins");

    std::string bare = dir.file("Bare.vst3");
    std::filesystem::create_directories(bare);
    EXPECT_EQ(vr::vst3_bundle_reason(bare), "the bundle has no " + arch + " folder (nor any other: not a VST3 bundle)");

    std::string renamed = dir.file("Named.vst3");
    write(renamed + "/" + arch + "/Other.so", elf(2, 1, 3, 62));
    EXPECT_EQ(vr::vst3_bundle_reason(renamed),
              "the bundle has no " + arch + "/Named.so (the binary is named after the bundle); " + arch + " holds Other.so");

    std::string foreign = dir.file("Foreign.vst3");
    write(foreign + "/" + arch + "/Foreign.so", pe(0x8664, 0x2022, 0x20B));
    EXPECT_EQ(vr::vst3_bundle_reason(foreign),
              arch + "/Foreign.so: a Windows DLL (PE32+, x86-64): Linux cannot load Windows plugins natively");

    // A single-file VST3 is the Windows layout.
    write(dir.file("Single.vst3"), pe(0x8664, 0x2022, 0x20B));
    EXPECT_EQ(vr::vst3_bundle_reason(dir.file("Single.vst3")),
              "a Windows DLL (PE32+, x86-64): Linux cannot load Windows plugins natively");

    // A macOS VST2 bundle given where a plugin file was expected.
    std::filesystem::create_directories(dir.file("Synth.vst/Contents/MacOS"));
    EXPECT_EQ(vr::foreign_bundle_reason(dir.file("Synth.vst")),
              "a bundle with Contents/MacOS: a macOS build (MacOS); Linux cannot load macOS plugins");
    EXPECT_EQ(vr::foreign_bundle_reason(dir.path()), "");
}

TEST(PluginFile, LoadReasonsByFormat) {
    scratch_dir dir;
    write(dir.file("mac.so"), {0xCF, 0xFA, 0xED, 0xFE, 0x07, 0x00, 0x00, 0x01});
    EXPECT_EQ(vr::plugin_load_reason({dir.file("mac.so"), vr::plugin_format::vst2}),
              "a macOS binary (Mach-O, 64-bit x86-64): Linux cannot load macOS plugins");
    std::filesystem::create_directories(dir.file("folder.so/Contents/x86_64-win"));
    EXPECT_EQ(vr::plugin_load_reason({dir.file("folder.so"), vr::plugin_format::vst2}),
              "a folder, not a VST2 .so file (a bundle with Contents/x86_64-win: a Windows build (x86_64-win); "
              "Linux cannot load Windows plugins natively)");
#if defined(__x86_64__)
    // A header this machine takes, on a file the loader refuses: its words,
    // without the path it starts with.
    write(dir.file("cut.so"), elf(2, 1, 3, 62));
    std::string why = vr::plugin_load_reason({dir.file("cut.so"), vr::plugin_format::vst2});
    EXPECT_EQ(why.rfind("the dynamic loader says: ", 0), 0u) << why;
    EXPECT_EQ(why.find(dir.file("cut.so") + ": "), std::string::npos) << why;
    // The LV2 and VST3 binaries are looked at the same way.
    write(dir.file("Cut.vst3/" + vr::vst3_arch_folder() + "/Cut.so"), elf(2, 1, 3, 62));
    why = vr::plugin_load_reason({dir.file("Cut.vst3"), vr::plugin_format::vst3});
    EXPECT_EQ(why.rfind(vr::vst3_arch_folder() + "/Cut.so: the dynamic loader says: ", 0), 0u) << why;
#endif
    write(dir.file("Win.vst3/Contents/x86_64-win/Win.vst3"), pe(0x8664, 0x2022, 0x20B));
    EXPECT_NE(vr::plugin_load_reason({dir.file("Win.vst3"), vr::plugin_format::vst3}).find("Contents/x86_64-win"),
              std::string::npos);
}

TEST(PluginFile, PluginHomeHasTheXdgFolders) {
    scratch_dir dir;
    const char* names[] = {"HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"};
    std::vector<std::optional<std::string>> saved;
    for (const char* n : names) saved.push_back(std::getenv(n) ? std::optional<std::string>(std::getenv(n)) : std::nullopt);

    const std::string home = dir.file("new/home");
    vr::use_plugin_home(home);
    for (const char* sub : {"/.config", "/.local/share", "/.cache"})
        EXPECT_TRUE(std::filesystem::is_directory(home + sub)) << sub;
    EXPECT_STREQ(std::getenv("HOME"), home.c_str());
    EXPECT_EQ(std::string(std::getenv("XDG_CONFIG_HOME")), home + "/.config");
    EXPECT_EQ(std::string(std::getenv("XDG_DATA_HOME")), home + "/.local/share");
    EXPECT_EQ(std::string(std::getenv("XDG_CACHE_HOME")), home + "/.cache");
    // An existing home is used as it is.
    EXPECT_NO_THROW(vr::use_plugin_home(home));
    // A home that cannot be made is an error naming it.
    write(dir.file("file"), text("x"));
    try {
        vr::use_plugin_home(dir.file("file"));
        ADD_FAILURE() << "a file taken for a home";
    } catch (const vr::record_error& e) {
        EXPECT_NE(std::string(e.what()).find(dir.file("file")), std::string::npos) << e.what();
    }

    for (std::size_t i = 0; i < saved.size(); ++i) {
        if (saved[i])
            ::setenv(names[i], saved[i]->c_str(), 1);
        else
            ::unsetenv(names[i]);
    }
}
