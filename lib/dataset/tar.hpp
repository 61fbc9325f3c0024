// SPDX-License-Identifier: GPL-3.0-or-later
// A POSIX tar writer (ustar headers; a pax header for a member of 8 GiB or
// more): what dataset-pack's WebDataset shards are made of. Members are
// regular files, mode 0644, owner 0:0, mtime 0, so the same samples give
// the same bytes.
#pragma once
#include <cstdint>
#include <span>
#include <string>

namespace vr::dataset {

// The 512-byte ustar header of a regular file (name at most 100 bytes).
void ustar_header(char* block, const std::string& name, std::uint64_t size, char type = '0');

// One pax extended-header record, "LEN key=value\n", LEN the record's own
// length in bytes, its digits included.
std::string pax_record(const std::string& key, const std::string& value);

// Copies the first `size` bytes of src_fd to dst_fd at its offset
// (copy_file_range; pread and write where the kernel cannot). Throws
// record_error naming `what` when the source cannot be read or ends early,
// fatal_error when dst_fd cannot be written.
void copy_file_bytes(int src_fd, int dst_fd, std::uint64_t size, const std::string& what);

class tar_writer {
public:
    // Writes to fd from its current end (an empty file).
    explicit tar_writer(int fd) : fd_(fd) {}
    // A member holding bytes.
    void add_bytes(const std::string& name, std::span<const char> bytes);
    // A member holding `size` bytes of src_fd from its start (copy_file_range,
    // read and write where the kernel cannot). Throws record_error naming
    // `what` when the file ends early.
    void add_file(const std::string& name, int src_fd, std::uint64_t size, const std::string& what);
    // The two zero blocks that end an archive, padded to a 10240-byte record.
    void finish();
    // Bytes written so far.
    std::uint64_t size() const noexcept { return at_; }
    // Drops everything after byte `to` (a member that failed half-way).
    void truncate(std::uint64_t to);

private:
    void header(const std::string& name, std::uint64_t size);
    void write_all(const char* data, std::size_t n);
    void pad();
    int fd_;
    std::uint64_t at_ = 0;
};

}  // namespace vr::dataset
