// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for lib/plugins/pe_file: PE headers, exports, imports and
// delay-load imports, read from files the tests write (pe_builder.hpp) and
// from real DLLs of two linkers (tests/fixtures/pe); hostile files, cut and
// scrambled, are refused with a format_error and never read out of bounds.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "audio_test_util.hpp"
#include "core/error.hpp"
#include "fixtures.hpp"
#include "pe_builder.hpp"
#include "plugins/pe_file.hpp"

namespace {

using vr::pe_info;
using vr::read_pe;
using vr_test::build_pe;
using vr_test::pe_spec;
using vr_test::put_le;
using strings = std::vector<std::string>;

std::string refusal(const std::vector<std::uint8_t>& bytes) {
    return vr_test::error_message<vr::format_error>([&] { read_pe(bytes); });
}

void write(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                 static_cast<std::streamsize>(bytes.size()));
}

TEST(PeFile, ReadsHeadersExportsImportsAndDelayImports) {
    pe_spec spec;
    spec.exports = {"GetPluginFactory", "InitDll", "ExitDll"};
    spec.imports = {"KERNEL32.dll", "MSVCP140.dll", "kernel32.DLL", "VCRUNTIME140.dll"};
    spec.delay_imports = {"d3dx9_43.dll"};
    pe_info pe = read_pe(build_pe(spec).bytes);
    EXPECT_TRUE(pe.pe32_plus);
    EXPECT_EQ(pe.machine, 0x8664);
    EXPECT_TRUE(pe.dll);
    EXPECT_EQ(pe.exports, (strings{"GetPluginFactory", "InitDll", "ExitDll"}));
    // One entry per DLL as Windows compares names, in its first spelling.
    EXPECT_EQ(pe.imports, (strings{"KERNEL32.dll", "MSVCP140.dll", "VCRUNTIME140.dll"}));
    EXPECT_EQ(pe.delay_imports, (strings{"d3dx9_43.dll"}));
    EXPECT_EQ(vr::pe_summary(pe), "PE32+, x86-64");
}

TEST(PeFile, ThirtyTwoBitProgramsAndOtherMachines) {
    pe_spec spec;
    spec.pe32_plus = false;
    spec.machine = 0x014C;
    spec.dll = false;
    spec.imports = {"USER32.dll"};
    spec.delay_imports = {"old.dll"};
    spec.delay_addresses = true;
    pe_info pe = read_pe(build_pe(spec).bytes);
    EXPECT_FALSE(pe.pe32_plus);
    EXPECT_FALSE(pe.dll);
    EXPECT_EQ(vr::pe_summary(pe), "PE32, i386");
    EXPECT_EQ(pe.imports, strings{"USER32.dll"});
    EXPECT_EQ(pe.delay_imports, strings{"old.dll"});  // Visual C++ 6: an address, made an RVA
    EXPECT_TRUE(pe.exports.empty());
    EXPECT_EQ(vr::pe_machine_name(0xAA64), "ARM64");
    EXPECT_EQ(vr::pe_machine_name(0xA641), "ARM64EC");
    EXPECT_EQ(vr::pe_machine_name(0x01C4), "ARM");
    EXPECT_EQ(vr::pe_machine_name(0x1234), "machine 0x1234");
}

TEST(PeFile, RealDllsOfTwoLinkers) {
    for (const auto& row : vr_test::index_rows("pe")) {
        SCOPED_TRACE(row.at("path"));
        std::string path = (vr_test::fixtures() / "pe" / "files" / row.at("path")).string();
        pe_info pe = vr::read_pe_file(path);
        EXPECT_EQ(vr::pe_machine_name(pe.machine) + (pe.pe32_plus ? " PE32+" : " PE32"), row.at("machine"));
        EXPECT_TRUE(pe.dll);
        auto words = [](const std::string& s) { return s.empty() ? strings{} : vr_test::split(s, ' '); };
        EXPECT_EQ(pe.imports, words(row.at("imports")));
        EXPECT_EQ(pe.delay_imports, words(row.at("delay_imports")));
        EXPECT_EQ(pe.exports, words(row.at("exports")));
        // Read whole from memory, the same.
        pe_info whole = read_pe(vr::read_file(path, 1 << 20));
        EXPECT_EQ(whole.imports, pe.imports);
        EXPECT_EQ(whole.exports, pe.exports);
    }
}

TEST(PeFile, NotPeFilesAreRefusedSayingWhy) {
    EXPECT_EQ(refusal({}), "no MZ signature: not a Windows executable");
    EXPECT_EQ(refusal({0x7F, 'E', 'L', 'F'}), "no MZ signature: not a Windows executable");
    std::vector<std::uint8_t> dos(0x40, 0);
    dos[0] = 'M', dos[1] = 'Z';
    EXPECT_EQ(refusal(dos), "no PE signature at byte 0 (e_lfanew): an MS-DOS program, not a Windows one");
    dos[0x3C] = 0xF0;
    EXPECT_EQ(refusal(dos), "no PE signature at byte 240 (e_lfanew): an MS-DOS program, not a Windows one");

    auto built = build_pe(pe_spec{});
    put_le(built.bytes, built.optional_at, 0x107, 2);
    EXPECT_EQ(refusal(built.bytes), "optional header magic 0x107 is neither PE32 (0x10B) nor PE32+ (0x20B)");
    EXPECT_FALSE(vr::starts_like_pe(dos));
    EXPECT_TRUE(vr::starts_like_pe(built.bytes));
}

TEST(PeFile, DirectoriesPointingOutsideTheFileAreRefused) {
    pe_spec spec;
    spec.exports = {"VSTPluginMain"};
    spec.imports = {"KERNEL32.dll"};
    auto built = build_pe(spec);

    auto bad = built.bytes;
    put_le(bad, built.directories_at, 0x7FFF0000, 4);  // the export directory, nowhere
    EXPECT_EQ(refusal(bad), "export directory at RVA 0x7FFF0000 lies in no section of the file");

    bad = built.bytes;
    put_le(bad, built.import_at + 12, 0xFFFFFFFF, 4);  // the first DLL's name
    EXPECT_EQ(refusal(bad), "imported DLL name at RVA 0xFFFFFFFF lies in no section of the file");

    bad = built.bytes;
    put_le(bad, built.sections_at + 16, 0x10000, 4);  // SizeOfRawData past the file's end
    put_le(bad, built.sections_at + 8, 0x10000, 4);
    put_le(bad, built.directories_at, 0x1000 + 0x8000, 4);
    EXPECT_EQ(refusal(bad), "export directory at RVA 0x9000 lies past the end of the file");

    bad = built.bytes;
    put_le(bad, built.sections_at + 8, 0x20000, 4);  // VirtualSize beyond the bytes the file holds
    put_le(bad, built.directories_at, 0x1000 + 0x10000, 4);
    EXPECT_EQ(refusal(bad), "export directory at RVA 0x11000 lies in the part of section .rdata that the file does "
                            "not hold");

    bad = built.bytes;
    put_le(bad, built.export_at + 24, 70000, 4);  // NumberOfNames
    EXPECT_EQ(refusal(bad), "the export directory lists 70000 names, more than a DLL can have");

    bad = built.bytes;
    put_le(bad, built.export_at + 24, 60000, 4);
    EXPECT_EQ(refusal(bad).substr(0, 30), "truncated at byte 552: export ");
}

TEST(PeFile, NamesAreCapped) {
    pe_spec spec;
    spec.exports = {std::string(4096, 'a')};
    EXPECT_EQ(read_pe(build_pe(spec).bytes).exports, spec.exports);
    spec.exports = {std::string(4097, 'a')};
    EXPECT_EQ(refusal(build_pe(spec).bytes), "export name is longer than 4096 bytes");

    // A name must end inside its section.
    pe_spec imports;
    imports.imports = {"KERNEL32.dll"};
    auto built = build_pe(imports);
    auto& b = built.bytes;
    std::fill(b.end() - 16, b.end(), 'x');
    put_le(b, built.import_at + 12, vr_test::pe_layout::data_rva + (b.size() - 16 - built.data_at), 4);
    EXPECT_EQ(refusal(b), "imported DLL name runs past the end of its section");

    // Thousands of names pointing at one long one: the total is capped.
    pe_spec many;
    many.exports = std::vector<std::string>(4200, std::string(4000, 'n'));
    EXPECT_NE(refusal(build_pe(many).bytes).find("its names take more than 16 MiB"), std::string::npos);
}

// Every cut of a valid file, and thousands of files with a few bytes
// changed (often to the values that break arithmetic), are read or refused
// with a format_error: no other exception, no crash, no read out of bounds
// (the sanitizer build of make check watches that).
TEST(PeFile, CutAndScrambledFilesAreReadOrRefused) {
    std::vector<pe_spec> specs(3);
    specs[0].exports = {"VSTPluginMain", "main"};
    specs[0].imports = {"KERNEL32.dll", "MSVCP140.dll"};
    specs[0].delay_imports = {"d3d9.dll"};
    specs[1].pe32_plus = false;
    specs[1].machine = 0x014C;
    specs[1].exports = {"GetPluginFactory"};
    specs[1].imports = {"USER32.dll"};
    specs[1].delay_imports = {"old.dll"};
    specs[1].delay_addresses = true;
    specs[2].imports = {"ole32.dll"};
    std::mt19937 random(20261123);
    const std::uint32_t nasty[] = {0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFF0,
                                   0x1000, 0x0FFF, 0x200};
    vr::test::scratch_dir dir;
    int read = 0, refused = 0;
    for (const auto& spec : specs) {
        auto built = build_pe(spec);
        for (std::size_t n = 0; n <= built.bytes.size(); ++n) {
            std::vector<std::uint8_t> cut(built.bytes.begin(), built.bytes.begin() + static_cast<std::ptrdiff_t>(n));
            try {
                read_pe(cut);
                ++read;
            } catch (const vr::format_error&) {
                ++refused;
            }
            vr::starts_like_pe(cut);
        }
        for (int round = 0; round < 4000; ++round) {
            auto bytes = built.bytes;
            // Mostly the headers and tables: where the offsets are.
            std::size_t span = round % 2 ? built.data_at + 0x100 : bytes.size();
            for (int k = 1 + static_cast<int>(random() % 4); k > 0; --k) {
                std::size_t at = random() % span;
                if (random() % 2)
                    bytes[at] = static_cast<std::uint8_t>(random());
                else
                    put_le(bytes, at & ~std::size_t{1}, nasty[random() % std::size(nasty)], 4);
            }
            try {
                read_pe(bytes);
                ++read;
            } catch (const vr::format_error&) {
                ++refused;
            }
            if (round % 100 == 0) {  // through the file reader too: it reads piece by piece
                write(dir.file("m.dll"), bytes);
                try {
                    vr::read_pe_file(dir.file("m.dll"));
                } catch (const vr::format_error& e) {
                    EXPECT_EQ(std::string(e.what()).rfind(dir.file("m.dll") + ": ", 0), 0u);
                }
            }
        }
    }
    EXPECT_GT(read, 1000);
    EXPECT_GT(refused, 1000);
}

TEST(PeFile, FilesThatCannotBeReadNameThePath) {
    vr::test::scratch_dir dir;
    EXPECT_EQ(vr_test::error_message<vr::record_error>([&] { vr::read_pe_file(dir.file("none.dll")); }),
              "cannot open " + dir.file("none.dll") + ": No such file or directory");
    EXPECT_EQ(vr_test::error_message<vr::record_error>([&] { vr::read_pe_file(dir.path()); }),
              dir.path() + ": a directory, not a file");
    write(dir.file("elf.dll"), {0x7F, 'E', 'L', 'F', 2, 1, 1});
    EXPECT_EQ(vr_test::error_message<vr::format_error>([&] { vr::read_pe_file(dir.file("elf.dll")); }),
              dir.file("elf.dll") + ": no MZ signature: not a Windows executable");
}

}  // namespace
