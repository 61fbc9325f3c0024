// SPDX-License-Identifier: GPL-3.0-or-later
#include "plugins/pe_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "core/cursor.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/handles.hpp"

namespace vr {

namespace {

// Caps that no real DLL comes near, so that a hostile file cannot make the
// reader hold more than a few MB of names: the ordinal table is 16-bit, so
// no DLL exports more than 65,536 names; MSVC cuts decorated names at 4,096.
constexpr std::uint32_t max_export_names = 65536;
constexpr std::uint32_t max_import_descriptors = 65536;
constexpr std::size_t max_name_bytes = 4096;
constexpr std::size_t max_all_names_bytes = 16u << 20;
// What read_pe_file reads at most of a file's sections.
constexpr std::uint64_t max_section_bytes = 1ull << 30;

constexpr int export_directory = 0, import_directory = 1, delay_import_directory = 13;

std::string hex(std::uint64_t v) {
    char text[24];
    std::snprintf(text, sizeof text, "0x%llX", static_cast<unsigned long long>(v));
    return text;
}

// The bytes of a file by offset: all of them in memory, or read as asked.
class pe_source {
public:
    virtual ~pe_source() = default;
    // The bytes [offset, offset + n), fewer when the file ends first; they
    // stay valid as long as the source lives.
    virtual std::span<const std::uint8_t> bytes_at(std::uint64_t offset, std::uint64_t n) = 0;
};

class memory_source : public pe_source {
public:
    explicit memory_source(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
    std::span<const std::uint8_t> bytes_at(std::uint64_t offset, std::uint64_t n) override {
        if (offset >= bytes_.size()) return {};
        return bytes_.subspan(offset, std::min<std::uint64_t>(n, bytes_.size() - offset));
    }

private:
    std::span<const std::uint8_t> bytes_;
};

// Reads each region once with pread and keeps it: the parser asks for a
// section's bytes again for every name in it.
class file_source : public pe_source {
public:
    file_source(int fd, std::uint64_t size, std::string path) : fd_(fd), size_(size), path_(std::move(path)) {}
    std::span<const std::uint8_t> bytes_at(std::uint64_t offset, std::uint64_t n) override {
        if (offset >= size_) return {};
        n = std::min(n, size_ - offset);
        auto key = std::make_pair(offset, n);
        if (auto it = held_.find(key); it != held_.end()) return *it->second;
        read_ += n;
        if (read_ > max_section_bytes)
            throw format_error("its headers and directories ask for more than " +
                               std::to_string(max_section_bytes >> 20) + " MiB of sections",
                               static_cast<std::size_t>(offset));
        auto& buffer = buffers_.emplace_back(static_cast<std::size_t>(n));
        std::size_t got = 0;
        while (got < buffer.size()) {
            ssize_t r = ::pread(fd_, buffer.data() + got, buffer.size() - got, static_cast<off_t>(offset + got));
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) throw record_error("cannot read " + path_ + ": " + std::strerror(errno));
            if (r == 0) break;  // the file shrank: what was read is what there is
            got += static_cast<std::size_t>(r);
        }
        buffer.resize(got);
        held_.emplace(key, &buffer);
        return buffer;
    }

private:
    int fd_;
    std::uint64_t size_;
    std::string path_;
    std::uint64_t read_ = 0;
    std::deque<std::vector<std::uint8_t>> buffers_;
    std::map<std::pair<std::uint64_t, std::uint64_t>, const std::vector<std::uint8_t>*> held_;
};

struct section {
    std::uint32_t va, extent, raw_size, raw_at;
    std::string name;
};

struct directory {
    std::uint32_t rva = 0, size = 0;
};

// A PE image read through a source: its headers first, then its
// directories by relative virtual address (RVA), as the loader maps them.
class pe_reader {
public:
    explicit pe_reader(pe_source& src) : src_(src) { read_headers(); }

    pe_info read() {
        read_exports();
        read_imports();
        read_delay_imports();
        return std::move(info_);
    }

private:
    void read_headers() {
        byte_cursor dos(src_.bytes_at(0, 64));
        if (dos.remaining() < 2 || dos.chars(2, "MZ signature") != "MZ")
            throw format_error("no MZ signature: not a Windows executable", 0);
        dos.seek(0x3C, "e_lfanew");
        std::uint32_t nt_at = dos.u32le("e_lfanew");
        byte_cursor nt(src_.bytes_at(nt_at, 24), nt_at);
        if (nt.remaining() < 4 || nt.chars(4, "PE signature") != std::string_view("PE\0\0", 4))
            throw format_error("no PE signature at byte " + std::to_string(nt_at) +
                                   " (e_lfanew): an MS-DOS program, not a Windows one",
                               nt_at);
        info_.machine = nt.u16le("COFF machine");
        std::uint16_t section_count = nt.u16le("NumberOfSections");
        nt.skip(12, "COFF header");
        std::uint16_t optional_size = nt.u16le("SizeOfOptionalHeader");
        info_.dll = (nt.u16le("COFF characteristics") & 0x2000) != 0;

        std::uint64_t optional_at = std::uint64_t{nt_at} + 24;
        byte_cursor opt(src_.bytes_at(optional_at, optional_size), optional_at);
        std::uint16_t magic = opt.u16le("optional header magic");
        if (magic != 0x10B && magic != 0x20B)
            opt.fail("optional header magic " + hex(magic) + " is neither PE32 (0x10B) nor PE32+ (0x20B)");
        info_.pe32_plus = magic == 0x20B;
        opt.seek(info_.pe32_plus ? 24 : 28, "ImageBase");
        image_base_ = info_.pe32_plus ? opt.u64le("ImageBase") : opt.u32le("ImageBase");
        opt.seek(60, "SizeOfHeaders");
        headers_size_ = opt.u32le("SizeOfHeaders");
        opt.seek(info_.pe32_plus ? 108 : 92, "NumberOfRvaAndSizes");
        std::uint32_t listed = opt.u32le("NumberOfRvaAndSizes");
        // The loader reads at most 16 entries, and only those the optional header holds.
        std::size_t count = std::min<std::size_t>({listed, 16, opt.remaining() / 8});
        for (std::size_t i = 0; i < count; ++i)
            directories_[i] = {opt.u32le("data directory RVA"), opt.u32le("data directory size")};

        std::uint64_t table_at = optional_at + optional_size;
        byte_cursor table(src_.bytes_at(table_at, std::uint64_t{section_count} * 40), table_at);
        for (std::uint16_t i = 0; i < section_count; ++i) {
            std::string_view name = table.chars(8, "section name");
            section s{};
            s.name = std::string(name.substr(0, name.find('\0')));
            std::uint32_t virtual_size = table.u32le("VirtualSize");
            s.va = table.u32le("VirtualAddress");
            s.raw_size = table.u32le("SizeOfRawData");
            s.raw_at = table.u32le("PointerToRawData");
            s.extent = std::max(virtual_size, s.raw_size);
            table.skip(16, "section header");
            sections_.push_back(std::move(s));
        }
        std::stable_sort(sections_.begin(), sections_.end(),
                         [](const section& a, const section& b) { return a.va < b.va; });
    }

    // A cursor over the file's bytes from rva to the end of the section (or
    // the headers) that holds it; offsets in its messages are the file's.
    byte_cursor at_rva(std::uint32_t rva, std::string_view what) {
        auto after = std::upper_bound(sections_.begin(), sections_.end(), rva,
                                      [](std::uint32_t r, const section& s) { return r < s.va; });
        if (after != sections_.begin()) {
            const section& s = *std::prev(after);
            std::uint32_t into = rva - s.va;
            if (into < s.extent) {
                if (into >= s.raw_size)
                    throw format_error(std::string(what) + " at RVA " + hex(rva) + " lies in the part of section " +
                                           s.name + " that the file does not hold",
                                       s.raw_at);
                auto bytes = src_.bytes_at(s.raw_at, s.raw_size);
                if (into >= bytes.size())
                    throw format_error(std::string(what) + " at RVA " + hex(rva) + " lies past the end of the file",
                                       std::size_t{s.raw_at} + bytes.size());
                return byte_cursor(bytes.subspan(into), std::size_t{s.raw_at} + into);
            }
        }
        if (rva < headers_size_) {
            auto bytes = src_.bytes_at(0, headers_size_);
            if (rva < bytes.size()) return byte_cursor(bytes.subspan(rva), rva);
        }
        throw format_error(std::string(what) + " at RVA " + hex(rva) + " lies in no section of the file", 0);
    }

    // The NUL-terminated name at rva, counted against the cap on all names.
    std::string name_at(std::uint32_t rva, std::string_view what) {
        byte_cursor c = at_rva(rva, what);
        auto rest = c.rest();
        auto limit = std::min(rest.size(), max_name_bytes + 1);
        auto end = std::find(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(limit), 0);
        if (end == rest.begin() + static_cast<std::ptrdiff_t>(limit))
            c.fail(std::string(what) + (limit > max_name_bytes ? " is longer than " + std::to_string(max_name_bytes) +
                                                                     " bytes"
                                                               : " runs past the end of its section"));
        std::string name(reinterpret_cast<const char*>(rest.data()), static_cast<std::size_t>(end - rest.begin()));
        names_bytes_ += name.size() + 1;
        if (names_bytes_ > max_all_names_bytes)
            c.fail("its names take more than " + std::to_string(max_all_names_bytes >> 20) + " MiB");
        return name;
    }

    void read_exports() {
        directory d = directories_[export_directory];
        if (d.rva == 0) return;
        byte_cursor c = at_rva(d.rva, "export directory");
        c.skip(24, "export directory");
        std::uint32_t count = c.u32le("NumberOfNames");
        c.skip(4, "AddressOfFunctions");
        std::uint32_t names_rva = c.u32le("AddressOfNames");
        if (count == 0) return;
        if (count > max_export_names)
            c.fail("the export directory lists " + std::to_string(count) + " names, more than a DLL can have");
        byte_cursor table = at_rva(names_rva, "export name table");
        table.need(std::size_t{count} * 4, "export name table");
        info_.exports.reserve(count);
        for (std::uint32_t i = 0; i < count; ++i)
            info_.exports.push_back(name_at(table.u32le("export name RVA"), "export name"));
    }

    // Adds a DLL name unless the list has it already (as Windows compares:
    // ASCII letters in either case).
    static void add_dll(std::vector<std::string>& dlls, std::string name) {
        auto lower = [](std::string s) {
            for (auto& ch : s)
                if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
            return s;
        };
        std::string key = lower(name);
        if (std::none_of(dlls.begin(), dlls.end(), [&](const std::string& d) { return lower(d) == key; }))
            dlls.push_back(std::move(name));
    }

    // The import descriptors end, as wine's loader reads them, at the first
    // with no name or no address table.
    void read_imports() {
        directory d = directories_[import_directory];
        if (d.rva == 0) return;
        byte_cursor c = at_rva(d.rva, "import directory");
        for (std::uint32_t i = 0;; ++i) {
            if (i == max_import_descriptors)
                c.fail("the import directory has more than " + std::to_string(max_import_descriptors) + " entries");
            byte_cursor entry = c.sub(20, "import descriptor");
            entry.skip(12, "import descriptor");
            std::uint32_t name_rva = entry.u32le("import DLL name RVA");
            std::uint32_t thunks = entry.u32le("FirstThunk");
            if (name_rva == 0 || thunks == 0) return;
            add_dll(info_.imports, name_at(name_rva, "imported DLL name"));
        }
    }

    // Delay-load descriptors end at the first with no name. Those of
    // Visual C++ 6 (attribute bit 0 clear) hold addresses, not RVAs.
    void read_delay_imports() {
        directory d = directories_[delay_import_directory];
        if (d.rva == 0) return;
        byte_cursor c = at_rva(d.rva, "delay-load import directory");
        for (std::uint32_t i = 0;; ++i) {
            if (i == max_import_descriptors)
                c.fail("the delay-load import directory has more than " + std::to_string(max_import_descriptors) +
                       " entries");
            byte_cursor entry = c.sub(32, "delay-load import descriptor");
            std::uint32_t attributes = entry.u32le("delay-load attributes");
            std::uint64_t name = entry.u32le("delay-load DLL name");
            if (name == 0) return;
            if (!(attributes & 1)) {
                if (name < image_base_ || name - image_base_ > UINT32_MAX)
                    entry.fail("delay-load DLL name address " + hex(name) + " lies outside the image");
                name -= image_base_;
            }
            add_dll(info_.delay_imports, name_at(static_cast<std::uint32_t>(name), "delay-loaded DLL name"));
        }
    }

    pe_source& src_;
    pe_info info_;
    std::uint64_t image_base_ = 0;
    std::uint32_t headers_size_ = 0;
    directory directories_[16];
    std::vector<section> sections_;
    std::size_t names_bytes_ = 0;
};

}  // namespace

std::string pe_machine_name(std::uint16_t machine) {
    switch (machine) {
        case 0x014C: return "i386";
        case 0x8664: return "x86-64";
        case 0x01C0: case 0x01C2: case 0x01C4: return "ARM";
        case 0xAA64: return "ARM64";
        case 0xA641: return "ARM64EC";
        case 0x0200: return "IA-64";
    }
    char text[24];
    std::snprintf(text, sizeof text, "machine 0x%04X", machine);
    return text;
}

std::string pe_summary(const pe_info& pe) {
    return std::string(pe.pe32_plus ? "PE32+" : "PE32") + ", " + pe_machine_name(pe.machine);
}

bool starts_like_pe(std::span<const std::uint8_t> head) {
    try {
        byte_cursor c(head);
        if (c.chars(2, "MZ signature") != "MZ") return false;
        c.seek(0x3C, "e_lfanew");
        c.seek(c.u32le("e_lfanew"), "e_lfanew");
        return c.chars(4, "PE signature") == std::string_view("PE\0\0", 4);
    } catch (const format_error&) {
        return false;
    }
}

pe_info read_pe(std::span<const std::uint8_t> bytes) {
    memory_source src(bytes);
    return pe_reader(src).read();
}

pe_info read_pe_file(const std::string& path) {
    // O_NONBLOCK so that opening a FIFO never waits for a writer.
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fd) throw record_error("cannot open " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw record_error("cannot stat " + path + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) throw record_error(path + ": " + file_kind(st.st_mode) + ", not a file");
    file_source src(fd.get(), static_cast<std::uint64_t>(st.st_size), path);
    try {
        return pe_reader(src).read();
    } catch (const format_error& e) {
        throw format_error(path + ": " + e.what(), e.offset);
    }
}

}  // namespace vr
