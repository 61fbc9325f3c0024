// SPDX-License-Identifier: GPL-3.0-or-later
#include "dataset/tar.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>
#include <vector>

#include "core/error.hpp"
#include "core/files.hpp"

namespace vr::dataset {

namespace {

constexpr std::uint64_t block = 512;
constexpr std::uint64_t ustar_max_size = 077777777777ULL;  // 11 octal digits

void octal(char* field, std::size_t width, std::uint64_t v) {
    // width - 1 digits and a NUL, as POSIX writes them.
    std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1), static_cast<unsigned long long>(v));
}

[[noreturn]] void write_failed(int error) {
    throw fatal_error(std::string("cannot write the shard: ") + std::strerror(error));
}

// Every byte of data to fd (core/files' write_all); a failure is fatal.
void write_or_fail(int fd, const char* data, std::size_t n) {
    if (int error = vr::write_all(fd, {reinterpret_cast<const std::uint8_t*>(data), n})) write_failed(error);
}

}  // namespace

std::string pax_record(const std::string& key, const std::string& value) {
    std::string rest = " " + key + "=" + value + "\n";
    std::size_t len = rest.size() + 1;
    while (std::to_string(len).size() + rest.size() != len) ++len;
    return std::to_string(len) + rest;
}

void ustar_header(char* h, const std::string& name, std::uint64_t size, char type) {
    if (name.size() > 100) throw fatal_error("tar member name over 100 bytes: " + name);
    std::memset(h, 0, block);
    std::memcpy(h, name.data(), name.size());
    octal(h + 100, 8, 0644);
    octal(h + 108, 8, 0);
    octal(h + 116, 8, 0);
    octal(h + 124, 12, size > ustar_max_size ? 0 : size);
    octal(h + 136, 12, 0);
    h[156] = type;
    std::memcpy(h + 257, "ustar", 6);  // with its NUL
    std::memcpy(h + 263, "00", 2);
    std::memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (std::size_t i = 0; i < block; ++i) sum += static_cast<unsigned char>(h[i]);
    std::snprintf(h + 148, 8, "%06o", sum);
    h[155] = ' ';
}

void tar_writer::write_all(const char* data, std::size_t n) {
    write_or_fail(fd_, data, n);
    at_ += n;
}

void tar_writer::pad() {
    static const char zeros[block] = {};
    if (std::uint64_t rest = at_ % block) write_all(zeros, block - rest);
}

void tar_writer::header(const std::string& name, std::uint64_t size) {
    char h[block];
    if (size > ustar_max_size) {
        // A pax extended header carries the size ustar's 11 octal digits cannot.
        std::string record = pax_record("size", std::to_string(size));
        std::string pax_name = "PaxHeaders/" + name;
        ustar_header(h, pax_name.substr(0, 100), record.size(), 'x');
        write_all(h, block);
        write_all(record.data(), record.size());
        pad();
    }
    ustar_header(h, name, size);
    write_all(h, block);
}

void tar_writer::add_bytes(const std::string& name, std::span<const char> bytes) {
    header(name, bytes.size());
    write_all(bytes.data(), bytes.size());
    pad();
}

void copy_file_bytes(int src_fd, int dst_fd, std::uint64_t size, const std::string& what) {
    std::uint64_t left = size;
    loff_t in_off = 0;
    bool kernel_copy = true;
    std::vector<char> buffer;
    while (left > 0) {
        ssize_t n;
        if (kernel_copy) {
            n = ::copy_file_range(src_fd, &in_off, dst_fd, nullptr, left, 0);
            if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
                kernel_copy = false;
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EIO || errno == EISDIR))
                throw record_error(what + ": cannot read: " + std::strerror(errno));
            if (n < 0) write_failed(errno);
        } else {
            if (buffer.empty()) buffer.resize(1u << 20);
            n = ::pread(src_fd, buffer.data(), std::min<std::uint64_t>(left, buffer.size()), in_off);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw record_error(what + ": cannot read: " + std::strerror(errno));
            if (n > 0) write_or_fail(dst_fd, buffer.data(), static_cast<std::size_t>(n));
            in_off += n;
        }
        if (n == 0) throw record_error(what + ": the file ended early (it changed while it was packed)");
        left -= static_cast<std::uint64_t>(n);
    }
}

void tar_writer::add_file(const std::string& name, int src_fd, std::uint64_t size, const std::string& what) {
    header(name, size);
    copy_file_bytes(src_fd, fd_, size, what);
    at_ += size;
    pad();
}

void tar_writer::finish() {
    static const char zeros[block] = {};
    write_all(zeros, block);
    write_all(zeros, block);
    while (at_ % (20 * block)) write_all(zeros, block);
}

void tar_writer::truncate(std::uint64_t to) {
    if (::ftruncate(fd_, static_cast<off_t>(to)) != 0 || ::lseek(fd_, static_cast<off_t>(to), SEEK_SET) < 0)
        write_failed(errno);
    at_ = to;
}

}  // namespace vr::dataset
