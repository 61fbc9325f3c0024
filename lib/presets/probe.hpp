// SPDX-License-Identifier: GPL-3.0-or-later
// Reading the files of a folder for a scan: each opened relative to the
// folder and read only as far as telling its kind needs; most of them in
// batches through io_uring, handed back in order.
#pragma once
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "presets/head_batch.hpp"
#include "presets/scan.hpp"

namespace vr {

// What opening and reading one file came to.
struct probe_result {
    int open_errno = 0;        // the open failed with this errno (nothing else is set)
    std::exception_ptr error;  // reading failed: rethrow it for the message
    preset_head head;          // the head, and the whole file when it is a preset
    // A preset's summary (summarize_preset, given the file's name), made on
    // the thread that read it; or what summing it up threw. A summed-up
    // preset over head_batch::whole_max may have given its bytes back.
    std::optional<preset_summary> summary;
    std::exception_ptr summary_error;
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
// a head cut short before its kind is settled) is read again by
// probe_file, and a preset over head_batch::whole_max is read on from
// where the batch stopped; the results are what probe_file gives, each
// preset summed up, but for bytes no message needs: the head of a file that
// is no preset is kept only with `whole_head`, and a summed-up preset over
// whole_max may have given its bytes back.
//
// Most of a scan is the kernel opening and reading files, so a run of more
// than a few files is shared with a helper thread and a ring of its own,
// by chunks: the calling thread takes them from the front and uses their
// results at once, the helper takes them from the back and settles them
// (reads the rest of a large preset, sums it up), and its results are used
// once the two meet, so that every result is used in order, on the calling
// thread.
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
    read_bytes spare_;                   // a large preset's buffer, kept for the next one
    // A split costs the helper's wake-up, more than a few files' reading.
    static constexpr std::size_t least_to_split = 16;
};

}  // namespace vr
