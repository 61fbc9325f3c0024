// SPDX-License-Identifier: GPL-3.0-or-later
#include "presets/probe.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "core/error.hpp"
#include "core/handles.hpp"
#include "presets/detect.hpp"

namespace vr {

probe_result probe_file(int dirfd, const char* name, bool whole_head) {
    probe_result r;
    try {
        // O_NONBLOCK: should the file have become a FIFO since the folder was
        // listed, opening it must not wait for a writer.
        unique_fd fd(::openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC));
        if (!fd) {
            r.open_errno = errno;
            return r;
        }
        r.head = read_preset_head(fd.get(), whole_head);
        if (r.head.kind == preset_kind::none) return r;
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0)
            throw record_error(std::string("cannot stat: ") + std::strerror(errno));
        read_preset_rest(fd.get(), st, r.head);
    } catch (...) {
        r.error = std::current_exception();
    }
    return r;
}

folder_prober::folder_prober(bool batches) {
    if (!batches) return;
    batch_ = std::make_unique<head_batch>();
    if (!batch_->available()) batch_.reset();
}

folder_prober::~folder_prober() = default;

namespace {

// What probe_file would have given, from a batch's result; false when the
// batch leaves that open (a head cut short before its kind is settled, a
// preset not read to its end, a read that would have had to wait) and the
// file must be read again on its own.
bool settled_by_batch(const head_batch::result& b, bool whole_head, probe_result& r) {
    if (b.open_errno != 0) {
        r.open_errno = b.open_errno;
        return true;
    }
    // A file opened O_NONBLOCK on a file system that cannot read without
    // waiting gets EAGAIN from the ring where read(2) would just wait.
    if (b.read_errno == EAGAIN) return false;
    if (b.read_errno != 0) {
        std::string message = std::string("cannot read: ") + std::strerror(b.read_errno);
        r.error = std::make_exception_ptr(record_error(message));
        return true;
    }
    auto head = b.bytes.first(std::min(b.bytes.size(), sniff_size));
    bool whole_head_read = b.at_end || head.size() == sniff_size;
    if (!whole_head_read && (whole_head || !sniff_settled(head))) return false;
    r.head.kind = sniff_preset(head);
    if (r.head.kind != preset_kind::none) {
        // A preset must be whole; read_preset_rest's checks hold for any
        // file this short that the folder listed as regular.
        if (!b.at_end) return false;
        r.head.bytes.assign(b.bytes.begin(), b.bytes.end());
        r.head.at_end = true;
        return true;
    }
    r.head.bytes.assign(head.begin(), head.end());
    r.head.at_end = b.at_end && head.size() == b.bytes.size();
    return true;
}

}  // namespace

void folder_prober::run(int dirfd, std::span<const probe_job> jobs,
                        const std::function<void(std::size_t, probe_result&)>& use) {
    if (!batch_) {
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            probe_result r = probe_file(dirfd, jobs[i].name, jobs[i].whole_head);
            use(i, r);
        }
        return;
    }
    std::vector<head_batch::request> requests;
    for (std::size_t begin = 0; begin < jobs.size(); begin += head_batch::max_files) {
        std::size_t end = std::min(jobs.size(), begin + head_batch::max_files);
        requests.clear();
        // A file a message may describe is most likely a preset: read whole.
        for (std::size_t i = begin; i < end; ++i) requests.push_back({jobs[i].name, jobs[i].whole_head});
        batch_->run(dirfd, requests);
        for (std::size_t i = begin; i < end; ++i) {
            probe_result r;
            if (!settled_by_batch(batch_->get(i - begin), jobs[i].whole_head, r))
                r = probe_file(dirfd, jobs[i].name, jobs[i].whole_head);
            use(i, r);
        }
    }
}

}  // namespace vr
