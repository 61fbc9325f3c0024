// SPDX-License-Identifier: GPL-3.0-or-later
// A Windows executable (PE: a .dll, a .vst3 module, an .exe) as far as its
// headers say: PE32 or PE32+, the machine, DLL or program, the functions it
// exports and the DLLs it imports. Read without Windows or wine, before a
// plugin is handed to wine, so that what cannot load there is said in words.
// The file is untrusted: every offset and size in it is checked, names and
// counts are capped, and a malformed file is a format_error, never a crash.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace vr {

// What a PE file's headers, export directory and import directories hold.
struct pe_info {
    bool pe32_plus = false;                  // a PE32+ (64-bit) image, else PE32
    std::uint16_t machine = 0;               // the COFF header's machine (0x8664: x86-64)
    bool dll = false;                        // IMAGE_FILE_DLL: a library, not a program
    std::vector<std::string> exports;        // the named exports, in the table's order
    std::vector<std::string> imports;        // the DLLs the loader maps with it, first spelling of each
    std::vector<std::string> delay_imports;  // the DLLs loaded on first call (delay-load), likewise
};

// The COFF machine names messages use: "i386", "x86-64", "ARM", "ARM64",
// "ARM64EC", "IA-64"; "machine 0xNNNN" for any other.
std::string pe_machine_name(std::uint16_t machine);

// "PE32+, x86-64": the image format and machine, for messages.
std::string pe_summary(const pe_info& pe);

// True when head (the first bytes of a file, 4 KiB are plenty) is an MZ
// stub whose e_lfanew points, within head, to a "PE\0\0" signature. Never
// throws.
bool starts_like_pe(std::span<const std::uint8_t> head);

// The PE file held whole in bytes. Throws format_error (with the offset)
// when it is no PE file or a header, directory or name in it is cut short,
// points outside the file or passes a cap.
pe_info read_pe(std::span<const std::uint8_t> bytes);

// The PE file at path, reading only its headers, its directories' tables
// and the names they point to (a plugin may be hundreds of MB).
// Throws record_error naming path when it cannot be read (missing, not a
// regular file: never blocks on a FIFO) and format_error naming path as
// read_pe does.
pe_info read_pe_file(const std::string& path);

}  // namespace vr
