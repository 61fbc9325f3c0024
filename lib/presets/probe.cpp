// SPDX-License-Identifier: GPL-3.0-or-later
#include "presets/probe.hpp"

#include <algorithm>
#include <cerrno>
#include <atomic>
#include <cstring>
#include <fcntl.h>
#include <sched.h>
#include <string>
#include <sys/stat.h>
#include <thread>
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

namespace {

// Tells the processor we are spinning (a hyperthread sibling gets the core).
void spin_pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
}

}  // namespace

// A thread that runs one batch of a ring of its own when asked, and says
// when it is done. It starts with the prober and is joined when it goes.
// The two sides hand over by a word they spin on for a while (2,000
// pauses: some 50 us) before they sleep on it: a folder's half is read in
// well under a millisecond, and waking a sleeping thread costs this
// virtual machine about as much. Longer spins (20,000) cost a tree of
// 100,000 files 0.9 s of CPU, which a busy machine takes from the walk.
struct folder_prober::helper {
    enum : int { idle, asked, done, quit };
    head_batch batch;
    std::atomic<int> state{idle};
    int dirfd = -1;
    std::span<const head_batch::request> files;
    std::exception_ptr failure;  // a fatal_error of the ring, rethrown on the calling thread
    std::thread thread;

    void start() { thread = std::thread([this] { serve(); }); }

    ~helper() {
        if (!thread.joinable()) return;
        state.store(quit, std::memory_order_release);
        state.notify_one();
        thread.join();
    }

    // Waits while the word holds `from`; gives what it holds then.
    int await_change(int from) {
        for (int spins = 0; spins < 2000; ++spins) {
            int now = state.load(std::memory_order_acquire);
            if (now != from) return now;
            spin_pause();
        }
        state.wait(from, std::memory_order_acquire);
        return state.load(std::memory_order_acquire);
    }

    void serve() {
        for (;;) {
            int now = state.load(std::memory_order_acquire);
            if (now != asked && now != quit) now = await_change(now);
            if (now == quit) return;
            if (now != asked) continue;
            failure = nullptr;
            try {
                batch.run(dirfd, files);
            } catch (...) {
                failure = std::current_exception();
            }
            // Not over a quit that came meanwhile.
            int was = asked;
            if (state.compare_exchange_strong(was, done, std::memory_order_acq_rel)) state.notify_one();
        }
    }

    void ask(int fd, std::span<const head_batch::request> requests) {
        dirfd = fd;
        files = requests;
        state.store(asked, std::memory_order_release);
        state.notify_one();
    }

    bool finished() const { return state.load(std::memory_order_acquire) != asked; }

    void wait() {
        await_change(asked);
        if (failure) std::rethrow_exception(failure);
    }
};

folder_prober::folder_prober(bool batches) {
    if (!batches) return;
    batch_ = std::make_unique<head_batch>();
    if (!batch_->available()) {
        batch_.reset();
        return;
    }
    // One processor: the helper would only take turns with us.
    cpu_set_t cpus;
    if (::sched_getaffinity(0, sizeof cpus, &cpus) != 0 || CPU_COUNT(&cpus) < 2) return;
    auto h = std::make_unique<helper>();
    if (!h->batch.available()) return;
    try {
        h->start();
    } catch (const std::system_error&) {
        return;  // no thread to be had: one ring reads everything
    }
    helper_ = std::move(h);
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
    r.head.kind = sniff_preset_any(head);
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
    // Waits for the helper should anything throw while it still reads
    // names out of `requests`.
    struct join_guard {
        helper* h = nullptr;
        ~join_guard() {
            if (h) h->await_change(helper::asked);
        }
    } pending;
    auto use_results = [&](const head_batch& from, std::size_t first, std::size_t last, std::size_t offset) {
        for (std::size_t i = first; i < last; ++i) {
            probe_result r;
            if (!settled_by_batch(from.get(i - offset), jobs[i].whole_head, r))
                r = probe_file(dirfd, jobs[i].name, jobs[i].whole_head);
            use(i, r);
        }
    };
    const std::size_t step = helper_ ? 2 * head_batch::max_files : head_batch::max_files;
    for (std::size_t begin = 0; begin < jobs.size(); begin += step) {
        std::size_t end = std::min(jobs.size(), begin + step);
        requests.clear();
        // A file a message may describe is most likely a preset: read whole.
        for (std::size_t i = begin; i < end; ++i) requests.push_back({jobs[i].name, jobs[i].whole_head});
        std::span<const head_batch::request> all(requests);
        std::size_t mine = all.size();
        if (helper_ && all.size() >= least_to_split) {
            // Each part at least one file and at most a ring's worth.
            std::size_t least = all.size() > head_batch::max_files ? all.size() - head_batch::max_files : 1;
            std::size_t most = std::min(head_batch::max_files, all.size() - 1);
            mine = std::clamp<std::size_t>(all.size() * static_cast<std::size_t>(share_) / 100, least, most);
            helper_->ask(dirfd, all.subspan(mine));
            pending.h = helper_.get();
        }
        batch_->run(dirfd, all.first(mine));
        // Our own half is used while the helper may still be reading its
        // own; the helper's comes after it, so the order holds.
        use_results(*batch_, begin, begin + mine, begin);
        if (pending.h) {
            // Whoever finished first takes a little more of the next run.
            bool helper_first = helper_->finished();
            share_ = helper_first ? std::max(20, share_ - 1) : std::min(80, share_ + 1);
            pending.h = nullptr;
            helper_->wait();
            use_results(helper_->batch, begin + mine, end, begin + mine);
        }
    }
}

}  // namespace vr
