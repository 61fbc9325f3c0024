// SPDX-License-Identifier: GPL-3.0-or-later
// Writes the smallest PE files that the loader's reading of headers,
// exports and imports accepts, for the PE reader's tests: an MZ stub, the
// PE and COFF headers, a PE32 or PE32+ optional header with 16 data
// directories, and one section (.rdata) holding the export directory, the
// import and delay-load descriptors and every name. No code: nothing runs it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace vr_test {

struct pe_spec {
    bool pe32_plus = true;
    std::uint16_t machine = 0x8664;
    bool dll = true;
    std::vector<std::string> exports;
    std::vector<std::string> imports;
    std::vector<std::string> delay_imports;
    bool delay_addresses = false;  // Visual C++ 6 delay descriptors: addresses, not RVAs
};

// Where the parts of a built file are, for tests that break one of them.
struct pe_layout {
    std::vector<std::uint8_t> bytes;
    std::size_t optional_at = 0;   // the optional header
    std::size_t directories_at = 0;  // its 16 data directories
    std::size_t sections_at = 0;   // the section table (one entry)
    std::size_t data_at = 0;       // the section's bytes; RVA = data_rva + offset from here
    std::size_t export_at = 0;     // the export directory (0: none)
    std::size_t import_at = 0;     // the first import descriptor (0: none)
    std::size_t delay_at = 0;      // the first delay-load descriptor (0: none)
    static constexpr std::uint32_t data_rva = 0x1000;
};

inline void put_le(std::vector<std::uint8_t>& b, std::size_t at, std::uint64_t v, int n) {
    if (b.size() < at + n) b.resize(at + n);
    for (int i = 0; i < n; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

inline pe_layout build_pe(const pe_spec& spec) {
    pe_layout out;
    auto& b = out.bytes;
    const std::size_t nt = 0x80, data_at = 0x200;
    b.assign(data_at, 0);
    b[0] = 'M';
    b[1] = 'Z';
    put_le(b, 0x3C, nt, 4);
    b[nt] = 'P';
    b[nt + 1] = 'E';
    const std::size_t optional_size = spec.pe32_plus ? 240 : 224;
    put_le(b, nt + 4, spec.machine, 2);
    put_le(b, nt + 6, 1, 2);  // NumberOfSections
    put_le(b, nt + 20, optional_size, 2);
    put_le(b, nt + 22, spec.dll ? 0x2022 : 0x0022, 2);
    const std::size_t opt = nt + 24;
    const std::uint64_t image_base = spec.pe32_plus ? 0x180000000ull : 0x10000000ull;
    put_le(b, opt, spec.pe32_plus ? 0x20B : 0x10B, 2);
    if (spec.pe32_plus)
        put_le(b, opt + 24, image_base, 8);
    else
        put_le(b, opt + 28, image_base, 4);
    put_le(b, opt + 32, 0x1000, 4);  // SectionAlignment
    put_le(b, opt + 36, 0x200, 4);   // FileAlignment
    put_le(b, opt + 60, data_at, 4);  // SizeOfHeaders
    put_le(b, opt + (spec.pe32_plus ? 108 : 92), 16, 4);
    out.optional_at = opt;
    out.directories_at = opt + (spec.pe32_plus ? 112 : 96);
    out.sections_at = opt + optional_size;
    out.data_at = data_at;

    // The section's bytes: the tables first, then the names they point to.
    std::vector<std::uint8_t> s;
    auto rva = [](std::size_t offset) { return static_cast<std::uint32_t>(pe_layout::data_rva + offset); };
    auto reserve = [&s](std::size_t n) {
        std::size_t at = s.size();
        s.resize(at + n, 0);
        return at;
    };
    auto name = [&](const std::string& text) {
        std::size_t at = s.size();
        s.insert(s.end(), text.begin(), text.end());
        s.push_back(0);
        return rva(at);
    };
    const std::size_t n_exports = spec.exports.size();
    std::size_t exports = 0, names = 0, ordinals = 0, functions = 0, imports = 0, delays = 0, thunk = 0;
    if (n_exports) {
        exports = reserve(40);
        names = reserve(4 * n_exports);
        ordinals = reserve((2 * n_exports + 3) / 4 * 4);
        functions = reserve(4 * n_exports);
    }
    thunk = reserve(8);
    if (!spec.imports.empty()) imports = reserve(20 * (spec.imports.size() + 1));
    if (!spec.delay_imports.empty()) delays = reserve(32 * (spec.delay_imports.size() + 1));
    if (n_exports) {
        put_le(s, exports + 12, name("test.dll"), 4);
        put_le(s, exports + 16, 1, 4);  // ordinal base
        put_le(s, exports + 20, n_exports, 4);
        put_le(s, exports + 24, n_exports, 4);
        put_le(s, exports + 28, rva(functions), 4);
        put_le(s, exports + 32, rva(names), 4);
        put_le(s, exports + 36, rva(ordinals), 4);
        for (std::size_t i = 0; i < n_exports; ++i) {
            put_le(s, names + 4 * i, name(spec.exports[i]), 4);
            put_le(s, ordinals + 2 * i, i, 2);
            put_le(s, functions + 4 * i, rva(thunk), 4);
        }
    }
    for (std::size_t i = 0; i < spec.imports.size(); ++i) {
        std::size_t d = imports + 20 * i;
        put_le(s, d, rva(thunk), 4);       // OriginalFirstThunk: an empty list
        put_le(s, d + 12, name(spec.imports[i]), 4);
        put_le(s, d + 16, rva(thunk), 4);  // FirstThunk
    }
    for (std::size_t i = 0; i < spec.delay_imports.size(); ++i) {
        std::size_t d = delays + 32 * i;
        std::uint64_t at = name(spec.delay_imports[i]);
        put_le(s, d, spec.delay_addresses ? 0 : 1, 4);
        put_le(s, d + 4, spec.delay_addresses ? image_base + at : at, 4);
        put_le(s, d + 12, rva(thunk), 4);
        put_le(s, d + 16, rva(thunk), 4);
    }
    auto directory = [&](int index, std::size_t at, std::size_t size) {
        put_le(b, out.directories_at + 8 * index, rva(at), 4);
        put_le(b, out.directories_at + 8 * index + 4, size, 4);
    };
    if (n_exports) directory(0, exports, 40);
    if (imports) directory(1, imports, 20 * (spec.imports.size() + 1));
    if (delays) directory(13, delays, 32 * (spec.delay_imports.size() + 1));
    out.export_at = n_exports ? data_at + exports : 0;
    out.import_at = imports ? data_at + imports : 0;
    out.delay_at = delays ? data_at + delays : 0;

    const std::size_t raw = (s.size() + 0x1FF) / 0x200 * 0x200;
    s.resize(raw, 0);
    const std::size_t sec = out.sections_at;
    const char section_name[8] = {'.', 'r', 'd', 'a', 't', 'a', 0, 0};
    for (int i = 0; i < 8; ++i) b[sec + i] = static_cast<std::uint8_t>(section_name[i]);
    put_le(b, sec + 8, raw, 4);    // VirtualSize
    put_le(b, sec + 12, pe_layout::data_rva, 4);
    put_le(b, sec + 16, raw, 4);   // SizeOfRawData
    put_le(b, sec + 20, data_at, 4);
    put_le(b, sec + 36, 0x40000040, 4);  // initialised data, readable
    put_le(b, opt + 56, pe_layout::data_rva + raw, 4);  // SizeOfImage
    b.insert(b.end(), s.begin(), s.end());
    return out;
}

}  // namespace vr_test
