// SPDX-License-Identifier: GPL-3.0-or-later
// Opening and reading the start of many files with one system call: an
// io_uring ring, driven by hand (no liburing), for the walk of preset-scan.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "core/handles.hpp"
#include "presets/detect.hpp"

namespace vr {

// Opens files of one folder, reads each and closes it, up to max_files files
// per batch and one io_uring_enter(2) per batch instead of three or more
// system calls per file. Where io_uring cannot be had (an old kernel, a
// seccomp filter, kernel.io_uring_disabled), it is not available() and
// callers read file by file.
class head_batch {
public:
    static constexpr std::size_t max_files = 128;
    // A whole read takes files up to this size; a larger one is only begun.
    static constexpr std::size_t whole_max = 64u << 10;

    // One file to read: its name in the folder, and whether to read it whole
    // (up to whole_max bytes) rather than its first sniff_size bytes.
    struct request {
        const char* name;
        bool whole;
    };

    // What came of one file of a batch.
    struct result {
        int open_errno = 0;  // the open failed with this errno (nothing was read)
        int read_errno = 0;  // the (first) read failed with this errno
        std::span<const std::uint8_t> bytes;  // what the read gave, from the start of the file
        bool at_end = false;  // a read after `bytes` found the end: they are the whole file
    };

    head_batch();
    ~head_batch();
    head_batch(const head_batch&) = delete;
    head_batch& operator=(const head_batch&) = delete;

    bool available() const noexcept { return ring_ != nullptr; }

    // Opens each file relative to the folder `dirfd` (O_RDONLY | O_NONBLOCK:
    // never waits on a FIFO), reads from its start and closes it; at most
    // max_files requests. Throws fatal_error when the ring itself fails.
    void run(int dirfd, std::span<const request> files);

    // File i of the last run; its bytes stay valid until the next run.
    result get(std::size_t i) const;

private:
    struct ring;
    void submit_and_wait(unsigned count);
    unique_fd ring_fd_;
    std::unique_ptr<ring> ring_;  // null when io_uring cannot be had
    // whole_max per file, each on a page boundary (core/memory.hpp says why);
    // pages are touched only as read.
    struct free_buffers {
        void operator()(std::uint8_t* p) const noexcept;
    };
    std::unique_ptr<std::uint8_t[], free_buffers> buffers_;
    int open_res_[max_files] = {};
    int read_res_[max_files] = {};
    int end_res_[max_files] = {};  // the read after the first, for whole files: 0 at the end
    std::uint8_t probe_[max_files] = {};
};

}  // namespace vr
