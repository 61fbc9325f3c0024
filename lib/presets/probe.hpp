// SPDX-License-Identifier: GPL-3.0-or-later
// Reading the files of a folder for a scan: each opened relative to the
// folder and read only as far as telling its kind needs; most of them in
// batches through io_uring, handed back in order.
#pragma once
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <span>

#include "presets/head_batch.hpp"
#include "presets/scan.hpp"

namespace vr {

// What opening and reading one file came to.
struct probe_result {
    int open_errno = 0;        // the open failed with this errno (nothing else is set)
    std::exception_ptr error;  // reading failed: rethrow it for the message
    preset_head head;          // the head, and the whole file when it is a preset
};

// Opens `name` relative to the folder `dirfd` (or AT_FDCWD and a whole path)
// without blocking, reads it as read_preset_head does (`whole_head` as
// there) and, when it is a preset, whole (read_preset_rest). Never throws.
probe_result probe_file(int dirfd, const char* name, bool whole_head);

// One file of a folder: its name there, and whether a message may have to
// describe its head (read_preset_head's whole_head).
struct probe_job {
    const char* name;
    bool whole_head;
};

// Probes files of a folder, in batches through head_batch: the head of a
// file no message will describe, the whole of one whose name claims a
// preset. Only a file the batch leaves open (a preset under another name,
// a preset over head_batch::whole_max, a head cut short before its kind is
// settled) is read again by probe_file; the results are exactly what
// probe_file gives.
//
// Most of a scan is the kernel opening and reading files, so a run of more
// than a few files is split in two and the second part read by a helper
// thread with a ring of its own, while the calling thread reads the first
// part and uses its results; the helper's results are used after them, so
// that every result is used in order, on the calling thread. The split
// follows whichever side finished first (the helper reads a little slower,
// the calling thread has the results to use).
class folder_prober {
public:
    // `batches` false, or no io_uring: every file by probe_file.
    explicit folder_prober(bool batches = true);
    ~folder_prober();
    folder_prober(const folder_prober&) = delete;
    folder_prober& operator=(const folder_prober&) = delete;

    // Probes every job in folder `dirfd` and calls use(i, result) for i = 0,
    // 1, ... in order.
    void run(int dirfd, std::span<const probe_job> jobs,
             const std::function<void(std::size_t, probe_result&)>& use);

    // Whether a second thread reads part of each run (io_uring and two
    // processors to be had).
    bool split() const noexcept { return helper_ != nullptr; }

private:
    struct helper;
    std::unique_ptr<head_batch> batch_;  // null when not used
    std::unique_ptr<helper> helper_;     // the second ring and its thread; null when it cannot be had
    int share_ = 50;                     // the percentage of a split run read on the calling thread
    // A split costs the helper's wake-up, more than a few files' reading.
    static constexpr std::size_t least_to_split = 16;
};

}  // namespace vr
