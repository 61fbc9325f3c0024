// SPDX-License-Identifier: GPL-3.0-or-later
// The ring follows io_uring(7): a submission queue of entries we fill and a
// completion queue the kernel fills, both shared through mmap. Each file is
// a chain of entries: open into a fixed-file slot (never into our
// descriptor table), read from that slot, for a whole file read once more to
// see its end (as read(2) loops do, a read that gives 0), close the slot.
// The chain is linked, so that a failed open cancels its reads; the reads
// are hard-linked, so that a short read (normal at the end of a file) does
// not cancel what follows.
#include "presets/head_batch.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <new>
#include <string>
#include <utility>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/error.hpp"

namespace vr {

namespace {

constexpr unsigned ops_per_file = 4;
constexpr unsigned ring_entries = head_batch::max_files * ops_per_file;
enum op : unsigned { op_open, op_read, op_end, op_close };
constexpr std::align_val_t buffer_alignment{4096};

int io_uring_setup(unsigned entries, io_uring_params* p) {
    return static_cast<int>(::syscall(__NR_io_uring_setup, entries, p));
}

int io_uring_enter(int fd, unsigned to_submit, unsigned min_complete, unsigned flags) {
    return static_cast<int>(::syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, nullptr, 0));
}

int io_uring_register(int fd, unsigned opcode, void* arg, unsigned nr_args) {
    return static_cast<int>(::syscall(__NR_io_uring_register, fd, opcode, arg, nr_args));
}

// A field of a shared ring, written by one side and read by the other.
unsigned load_acquire(unsigned* p) { return std::atomic_ref<unsigned>(*p).load(std::memory_order_acquire); }
void store_release(unsigned* p, unsigned v) {
    std::atomic_ref<unsigned>(*p).store(v, std::memory_order_release);
}

}  // namespace

struct head_batch::ring {
    void* sq_map = MAP_FAILED;
    std::size_t sq_map_size = 0;
    void* cq_map = MAP_FAILED;  // the same mapping as sq_map where the kernel allows
    std::size_t cq_map_size = 0;
    void* sqe_map = MAP_FAILED;
    std::size_t sqe_map_size = 0;
    unsigned* sq_tail = nullptr;
    unsigned sq_mask = 0;
    unsigned* sq_array = nullptr;
    io_uring_sqe* sqes = nullptr;
    unsigned* cq_head = nullptr;
    unsigned* cq_tail = nullptr;
    unsigned cq_mask = 0;
    const io_uring_cqe* cqes = nullptr;

    ~ring() {
        if (sqe_map != MAP_FAILED) ::munmap(sqe_map, sqe_map_size);
        if (cq_map != MAP_FAILED && cq_map != sq_map) ::munmap(cq_map, cq_map_size);
        if (sq_map != MAP_FAILED) ::munmap(sq_map, sq_map_size);
    }

    // Maps the rings of `fd`; false when the kernel refuses.
    bool map(int fd, const io_uring_params& p) {
        sq_map_size = p.sq_off.array + p.sq_entries * sizeof(unsigned);
        cq_map_size = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
        bool single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
        if (single) sq_map_size = cq_map_size = std::max(sq_map_size, cq_map_size);
        sq_map = ::mmap(nullptr, sq_map_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                        IORING_OFF_SQ_RING);
        if (sq_map == MAP_FAILED) return false;
        cq_map = single ? sq_map
                        : ::mmap(nullptr, cq_map_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                                 IORING_OFF_CQ_RING);
        if (cq_map == MAP_FAILED) return false;
        sqe_map_size = p.sq_entries * sizeof(io_uring_sqe);
        sqe_map = ::mmap(nullptr, sqe_map_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                         IORING_OFF_SQES);
        if (sqe_map == MAP_FAILED) return false;
        auto* sq = static_cast<char*>(sq_map);
        auto* cq = static_cast<char*>(cq_map);
        sq_tail = reinterpret_cast<unsigned*>(sq + p.sq_off.tail);
        sq_mask = *reinterpret_cast<unsigned*>(sq + p.sq_off.ring_mask);
        sq_array = reinterpret_cast<unsigned*>(sq + p.sq_off.array);
        sqes = static_cast<io_uring_sqe*>(sqe_map);
        cq_head = reinterpret_cast<unsigned*>(cq + p.cq_off.head);
        cq_tail = reinterpret_cast<unsigned*>(cq + p.cq_off.tail);
        cq_mask = *reinterpret_cast<unsigned*>(cq + p.cq_off.ring_mask);
        cqes = reinterpret_cast<const io_uring_cqe*>(cq + p.cq_off.cqes);
        return true;
    }

    // The next free submission entry, cleared; the caller fills it in.
    io_uring_sqe& next(unsigned& tail) {
        unsigned index = tail++ & sq_mask;
        sq_array[index] = index;
        io_uring_sqe& e = sqes[index];
        std::memset(&e, 0, sizeof e);
        return e;
    }
};

void head_batch::free_buffers::operator()(std::uint8_t* p) const noexcept {
    ::operator delete(p, buffer_alignment);
}

head_batch::head_batch() {
    io_uring_params p{};
    // Submit every entry even when one fails to be prepared: each still
    // completes, with its error, so that the count to wait for holds.
    p.flags = IORING_SETUP_SUBMIT_ALL;
    unique_fd fd(io_uring_setup(ring_entries, &p));
    if (!fd) return;
    auto r = std::make_unique<ring>();
    io_uring_rsrc_register slots{};
    slots.nr = max_files;
    slots.flags = IORING_RSRC_REGISTER_SPARSE;
    // Sparse fixed-file slots (Linux 5.19) are what the chains open into.
    if (!r->map(fd.get(), p) || (p.features & IORING_FEAT_NODROP) == 0 ||
        io_uring_register(fd.get(), IORING_REGISTER_FILES2, &slots, sizeof slots) != 0)
        return;
    ring_fd_ = std::move(fd);
    ring_ = std::move(r);
}

head_batch::~head_batch() = default;

void head_batch::run(int dirfd, std::span<const request> files) {
    if (files.size() > max_files) throw fatal_error("internal error: head_batch given too many files");
    if (!buffers_)
        buffers_.reset(static_cast<std::uint8_t*>(::operator new(max_files * whole_max, buffer_alignment)));
    unsigned tail = *ring_->sq_tail, count = 0;
    for (std::size_t i = 0; i < files.size(); ++i) {
        auto slot = static_cast<unsigned>(i);
        io_uring_sqe& opening = ring_->next(tail);
        opening.opcode = IORING_OP_OPENAT;
        opening.fd = dirfd;
        opening.addr = reinterpret_cast<std::uintptr_t>(files[i].name);
        // No O_CLOEXEC: a fixed slot is not in the descriptor table, and the
        // kernel refuses the flag there.
        opening.open_flags = O_RDONLY | O_NONBLOCK;
        opening.file_index = slot + 1;
        opening.flags = IOSQE_IO_LINK;
        opening.user_data = slot * ops_per_file + op_open;

        io_uring_sqe& reading = ring_->next(tail);
        reading.opcode = IORING_OP_READ;
        reading.fd = static_cast<int>(slot);
        reading.flags = IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK;
        reading.addr = reinterpret_cast<std::uintptr_t>(buffers_.get() + i * whole_max);
        reading.len = files[i].whole ? whole_max : sniff_size;
        reading.off = static_cast<std::uint64_t>(-1);  // the file position, as read(2)
        reading.user_data = slot * ops_per_file + op_read;
        count += 3;

        end_res_[i] = -1;
        if (files[i].whole) {
            io_uring_sqe& end = ring_->next(tail);
            end.opcode = IORING_OP_READ;
            end.fd = static_cast<int>(slot);
            end.flags = IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK;
            end.addr = reinterpret_cast<std::uintptr_t>(&probe_[i]);
            end.len = 1;
            end.off = static_cast<std::uint64_t>(-1);
            end.user_data = slot * ops_per_file + op_end;
            ++count;
        }

        io_uring_sqe& closing = ring_->next(tail);
        closing.opcode = IORING_OP_CLOSE;
        closing.file_index = slot + 1;
        closing.user_data = slot * ops_per_file + op_close;
    }
    store_release(ring_->sq_tail, tail);
    submit_and_wait(count);
}

void head_batch::submit_and_wait(unsigned count) {
    unsigned unsubmitted = count, pending = count;
    for (;;) {
        unsigned head = *ring_->cq_head;
        for (unsigned tail = load_acquire(ring_->cq_tail); head != tail; ++head, --pending) {
            const io_uring_cqe& c = ring_->cqes[head & ring_->cq_mask];
            auto slot = static_cast<std::size_t>(c.user_data / ops_per_file);
            if (c.user_data % ops_per_file == op_open) open_res_[slot] = c.res;
            if (c.user_data % ops_per_file == op_read) read_res_[slot] = c.res;
            if (c.user_data % ops_per_file == op_end) end_res_[slot] = c.res;
        }
        store_release(ring_->cq_head, head);
        if (pending == 0) return;
        // Submits what is left and waits for every completion; after a
        // partial submission the kernel returns without waiting.
        int n = io_uring_enter(ring_fd_.get(), unsubmitted, pending, IORING_ENTER_GETEVENTS);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EBUSY) continue;
            int error = errno;
            // Reads still under way may yet write there: never free it.
            (void)buffers_.release();
            throw fatal_error(std::string("io_uring_enter failed: ") + std::strerror(error));
        }
        unsubmitted -= static_cast<unsigned>(n);
    }
}

head_batch::result head_batch::get(std::size_t i) const {
    result r;
    if (open_res_[i] < 0) {
        r.open_errno = -open_res_[i];
    } else if (read_res_[i] < 0) {
        r.read_errno = -read_res_[i];
    } else {
        r.bytes = {buffers_.get() + i * whole_max, static_cast<std::size_t>(read_res_[i])};
        r.at_end = read_res_[i] == 0 || end_res_[i] == 0;
    }
    return r;
}

}  // namespace vr
