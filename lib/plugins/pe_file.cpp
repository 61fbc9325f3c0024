// SPDX-License-Identifier: GPL-3.0-or-later
#include "plugins/pe_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
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

constexpr int export_directory = 0, import_directory = 1, delay_import_directory = 13;

std::string hex(std::uint64_t v) {
    char text[24];
    std::snprintf(text, sizeof text, "0x%llX", static_cast<unsigned long long>(v));
    return text;
}

// Some bytes of the file and where they start in it: a view of a buffer
// that holds the whole file, or bytes read for the asking.
struct region {
    std::span<const std::uint8_t> view;
    std::vector<std::uint8_t> owned;
    bool is_owned = false;
    std::uint64_t at = 0;

    std::span<const std::uint8_t> bytes() const { return is_owned ? std::span<const std::uint8_t>(owned) : view; }
    byte_cursor cursor() const { return byte_cursor(bytes(), static_cast<std::size_t>(at)); }
};

// The bytes of a file by offset.
class pe_source {
public:
    virtual ~pe_source() = default;
    // The bytes [offset, offset + n), fewer (or none) when the file ends first.
    virtual region read(std::uint64_t offset, std::uint64_t n) = 0;
};

class memory_source : public pe_source {
public:
    explicit memory_source(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
    region read(std::uint64_t offset, std::uint64_t n) override {
        region r;
        r.at = offset;
        if (offset < bytes_.size()) r.view = bytes_.subspan(offset, std::min<std::uint64_t>(n, bytes_.size() - offset));
        return r;
    }

private:
    std::span<const std::uint8_t> bytes_;
};

// Reads what is asked with pread, and keeps nothing: the reader asks for
// headers, tables and one name at a time, never for a whole section.
class file_source : public pe_source {
public:
    file_source(int fd, std::uint64_t size, std::string path) : fd_(fd), size_(size), path_(std::move(path)) {}
    region read(std::uint64_t offset, std::uint64_t n) override {
        region r;
        r.at = offset;
        r.is_owned = true;
        if (offset >= size_) return r;
        r.owned.resize(static_cast<std::size_t>(std::min(n, size_ - offset)));
        std::size_t got = 0;
        while (got < r.owned.size()) {
            ssize_t k = ::pread(fd_, r.owned.data() + got, r.owned.size() - got, static_cast<off_t>(offset + got));
            if (k < 0 && errno == EINTR) continue;
            if (k < 0) throw record_error("cannot read " + path_ + ": " + std::strerror(errno));
            if (k == 0) break;  // the file shrank: what was read is what there is
            got += static_cast<std::size_t>(k);
        }
        r.owned.resize(got);
        return r;
    }

private:
    int fd_;
    std::uint64_t size_;
    std::string path_;
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
        region dos_bytes = src_.read(0, 64);
        byte_cursor dos = dos_bytes.cursor();
        if (dos.remaining() < 2 || dos.chars(2, "MZ signature") != "MZ")
            throw format_error("no MZ signature: not a Windows executable", 0);
        dos.seek(0x3C, "e_lfanew");
        std::uint32_t nt_at = dos.u32le("e_lfanew");
        region nt_bytes = src_.read(nt_at, 24);
        byte_cursor nt = nt_bytes.cursor();
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
        region opt_bytes = src_.read(optional_at, optional_size);
        byte_cursor opt = opt_bytes.cursor();
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

        region table_bytes = src_.read(optional_at + optional_size, std::uint64_t{section_count} * 40);
        byte_cursor table = table_bytes.cursor();
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

    // At most n of the file's bytes from rva on, up to the end of the
    // section (or the headers) that holds it: fewer when it ends first.
    // Throws when rva lies in no section, in a part of one the file does
    // not hold, or past the end of the file.
    region at_rva(std::uint64_t rva, std::uint64_t n, std::string_view what) {
        auto fail = [&](const std::string& where, std::uint64_t offset) -> region {
            throw format_error(std::string(what) + " at RVA " + hex(rva) + " lies " + where,
                               static_cast<std::size_t>(offset));
        };
        region r;
        auto after = std::upper_bound(sections_.begin(), sections_.end(), rva,
                                      [](std::uint64_t v, const section& s) { return v < s.va; });
        if (after != sections_.begin() && rva - std::prev(after)->va < std::prev(after)->extent) {
            const section& s = *std::prev(after);
            std::uint64_t into = rva - s.va;
            if (into >= s.raw_size) return fail("in the part of section " + s.name + " that the file does not hold", s.raw_at);
            r = src_.read(std::uint64_t{s.raw_at} + into, std::min<std::uint64_t>(n, s.raw_size - into));
        } else if (rva < headers_size_) {
            r = src_.read(rva, std::min<std::uint64_t>(n, headers_size_ - rva));
        } else {
            return fail("in no section of the file", 0);
        }
        if (r.bytes().empty() && n > 0) return fail("past the end of the file", r.at);
        return r;
    }

    // The NUL-terminated name at rva, counted against the cap on all names.
    std::string name_at(std::uint64_t rva, std::string_view what) {
        region r = at_rva(rva, max_name_bytes + 1, what);
        auto bytes = r.bytes();
        auto end = std::find(bytes.begin(), bytes.end(), 0);
        if (end == bytes.end())
            r.cursor().fail(std::string(what) + (bytes.size() > max_name_bytes
                                                     ? " is longer than " + std::to_string(max_name_bytes) + " bytes"
                                                     : " runs past the end of its section"));
        std::string name(reinterpret_cast<const char*>(bytes.data()), static_cast<std::size_t>(end - bytes.begin()));
        names_bytes_ += name.size() + 1;
        if (names_bytes_ > max_all_names_bytes)
            r.cursor().fail("its names take more than " + std::to_string(max_all_names_bytes >> 20) + " MiB");
        return name;
    }

    void read_exports() {
        directory d = directories_[export_directory];
        if (d.rva == 0) return;
        region dir = at_rva(d.rva, 40, "export directory");
        byte_cursor c = dir.cursor();
        c.skip(24, "export directory");
        std::uint32_t count = c.u32le("NumberOfNames");
        c.skip(4, "AddressOfFunctions");
        std::uint32_t names_rva = c.u32le("AddressOfNames");
        if (count == 0) return;
        if (count > max_export_names)
            c.fail("the export directory lists " + std::to_string(count) + " names, more than a DLL can have");
        region names = at_rva(names_rva, std::uint64_t{count} * 4, "export name table");
        byte_cursor table = names.cursor();
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

    // The descriptors of an import directory one by one, each of size bytes,
    // until done(descriptor) says the list ends.
    template <class Done>
    void each_descriptor(std::uint32_t rva, std::size_t size, std::string_view what, Done done) {
        for (std::uint64_t i = 0;; ++i) {
            if (i == max_import_descriptors)
                throw format_error("the " + std::string(what) + " directory has more than " +
                                       std::to_string(max_import_descriptors) + " entries",
                                   0);
            region entry = at_rva(rva + i * size, size, std::string(what) + " descriptor");
            byte_cursor c = entry.cursor();
            c.need(size, std::string(what) + " descriptor");
            if (done(c)) return;
        }
    }

    // The import descriptors end, as wine's loader reads them, at the first
    // with no name or no address table.
    void read_imports() {
        directory d = directories_[import_directory];
        if (d.rva == 0) return;
        each_descriptor(d.rva, 20, "import", [&](byte_cursor& c) {
            c.skip(12, "import descriptor");
            std::uint32_t name_rva = c.u32le("import DLL name RVA");
            std::uint32_t thunks = c.u32le("FirstThunk");
            if (name_rva == 0 || thunks == 0) return true;
            add_dll(info_.imports, name_at(name_rva, "imported DLL name"));
            return false;
        });
    }

    // Delay-load descriptors end at the first with no name. Those of
    // Visual C++ 6 (attribute bit 0 clear) hold addresses, not RVAs.
    void read_delay_imports() {
        directory d = directories_[delay_import_directory];
        if (d.rva == 0) return;
        each_descriptor(d.rva, 32, "delay-load import", [&](byte_cursor& c) {
            std::uint32_t attributes = c.u32le("delay-load attributes");
            std::uint64_t name = c.u32le("delay-load DLL name");
            if (name == 0) return true;
            if (!(attributes & 1)) {
                if (name < image_base_ || name - image_base_ > UINT32_MAX)
                    c.fail("delay-load DLL name address " + hex(name) + " lies outside the image");
                name -= image_base_;
            }
            add_dll(info_.delay_imports, name_at(name, "delay-loaded DLL name"));
            return false;
        });
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
