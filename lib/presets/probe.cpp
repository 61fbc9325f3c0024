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
#include <tuple>
#include <utility>
#include <unistd.h>
#include <vector>

#include "core/error.hpp"
#include "core/handles.hpp"
#include "presets/detect.hpp"

namespace vr {

namespace {
void summarize(probe_result& r, const char* name);
}  // namespace

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
        return r;
    }
    summarize(r, name);
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

namespace {
void settle(const head_batch::result& b, int dirfd, const probe_job& job, read_bytes& spare, probe_result& r);
}  // namespace

// A thread that reads part of a run with a ring of its own when asked, and
// says when it is done. It starts with the prober and is joined when it
// goes. The run is shared by chunks: the calling thread takes them from the
// front and uses each at once, the helper takes them from the back and
// settles them for later, until the two meet; so neither waits on the
// other for more than a chunk, whichever folder's files cost more (a Vital
// preset costs a hundred small files). The two sides hand over by a word
// they spin on for a while (2,000 pauses: some 50 us) before they sleep on
// it: waking a sleeping thread costs this virtual machine about as much as
// reading a chunk. Longer spins (20,000) cost a tree of 100,000 files 0.9 s
// of CPU, which a busy machine takes from the walk.
struct folder_prober::helper {
    enum : int { idle, asked, working, done, quit };
    static constexpr std::size_t chunk = 16;
    head_batch batch;
    std::atomic<int> state{idle};
    std::atomic<std::uint64_t> left{0};  // what is left to claim: front in the low half, back in the high
    int dirfd = -1;
    std::span<const probe_job> jobs;    // the run's
    std::vector<probe_result> results;  // as jobs: those the helper claimed, settled and summed up
    read_bytes spare;                   // as folder_prober::spare_, for this thread
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

    static std::uint64_t pack(std::size_t front, std::size_t back) {
        return static_cast<std::uint64_t>(front) | static_cast<std::uint64_t>(back) << 32;
    }

    // The next chunk [from, to) from the front of what is left, or from its
    // back; empty once the two sides have met.
    std::pair<std::size_t, std::size_t> claim(bool front) {
        std::uint64_t was = left.load(std::memory_order_acquire);
        for (;;) {
            std::size_t f = was & 0xffffffffu, b = was >> 32;
            if (f == b) return {f, f};
            std::size_t take = std::min(chunk, b - f);
            auto part = front ? std::pair{f, f + take} : std::pair{b - take, b};
            std::uint64_t now = front ? pack(f + take, b) : pack(f, b - take);
            if (left.compare_exchange_weak(was, now, std::memory_order_acq_rel)) return part;
        }
    }

    void serve() {
        std::vector<head_batch::request> requests;
        for (;;) {
            int now = state.load(std::memory_order_acquire);
            if (now != asked && now != quit) now = await_change(now);
            if (now == quit) return;
            // The calling thread may have taken the run back meanwhile.
            if (now != asked || !state.compare_exchange_strong(now, working, std::memory_order_acq_rel)) continue;
            failure = nullptr;
            try {
                for (auto [from, to] = claim(false); from != to; std::tie(from, to) = claim(false)) {
                    requests.clear();
                    for (std::size_t i = from; i < to; ++i) requests.push_back({jobs[i].name, jobs[i].whole_head});
                    batch.run(dirfd, requests);
                    for (std::size_t i = from; i < to; ++i) {
                        results[i] = probe_result();
                        settle(batch.get(i - from), dirfd, jobs[i], spare, results[i]);
                    }
                }
            } catch (...) {
                failure = std::current_exception();
            }
            int was = working;
            // Not over a quit that came meanwhile.
            if (state.compare_exchange_strong(was, done, std::memory_order_acq_rel)) state.notify_one();
        }
    }

    // Offers the run of `run` to share.
    void ask(int fd, std::span<const probe_job> run) {
        dirfd = fd;
        jobs = run;
        if (results.size() < run.size()) results.resize(run.size());
        left.store(pack(0, run.size()), std::memory_order_relaxed);
        state.store(asked, std::memory_order_release);
        state.notify_one();
    }

    // Ends the run: what is left is claimed, and the helper, if it started,
    // has finished every chunk it took. Rethrows what it failed with.
    void end() {
        left.store(pack(0, 0), std::memory_order_release);
        int was = asked;
        if (!state.compare_exchange_strong(was, idle, std::memory_order_acq_rel)) {
            await_change(working);  // to done: the helper has finished its chunks
            state.store(idle, std::memory_order_release);
        }
        if (failure) std::rethrow_exception(std::exchange(failure, nullptr));
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

// What a batch's result leaves to do for a file.
enum class settled { yes, again, rest };

// What probe_file would have given, from a batch's result: `yes` when the
// batch settles it; `again` when the batch leaves it open (a head cut short
// before its kind is settled, a read that would have had to wait) and the
// file must be read again on its own; `rest` for a preset whose start the
// batch read (r.head holds its kind) and whose rest must follow it.
settled settled_by_batch(const head_batch::result& b, bool whole_head, probe_result& r) {
    if (b.open_errno != 0) {
        r.open_errno = b.open_errno;
        return settled::yes;
    }
    // A file opened O_NONBLOCK on a file system that cannot read without
    // waiting gets EAGAIN from the ring where read(2) would just wait.
    if (b.read_errno == EAGAIN) return settled::again;
    if (b.read_errno != 0) {
        std::string message = std::string("cannot read: ") + std::strerror(b.read_errno);
        r.error = std::make_exception_ptr(record_error(message));
        return settled::yes;
    }
    auto head = b.bytes.first(std::min(b.bytes.size(), sniff_size));
    bool whole_head_read = b.at_end || head.size() == sniff_size;
    if (!whole_head_read && (whole_head || !sniff_settled(head))) return settled::again;
    r.head.kind = sniff_preset_any(head);
    if (r.head.kind != preset_kind::none) {
        // A preset must be whole; read_preset_rest's checks hold for any
        // file this short that the folder listed as regular. A longer one
        // (Vital's, of 200 KB) goes on from where the batch's read ended.
        if (!b.at_end) return b.bytes.size() == head_batch::whole_max ? settled::rest : settled::again;
        r.head.bytes.assign(b.bytes.begin(), b.bytes.end());
        r.head.at_end = true;
        return settled::yes;
    }
    // What no message will describe is not kept: most files of a scan.
    if (whole_head) r.head.bytes.assign(head.begin(), head.end());
    r.head.at_end = b.at_end && head.size() == b.bytes.size();
    return settled::yes;
}

// The rest of a preset whose first `start` bytes a batch read, after them,
// into `r.head.bytes` (which may hold a buffer to reuse): the file opened
// again and read on from there as probe_file would read it.
void read_rest(int dirfd, const char* name, std::span<const std::uint8_t> start, probe_result& r) {
    try {
        unique_fd fd(::openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC));
        if (!fd) {
            r.open_errno = errno;
            return;
        }
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0)
            throw record_error(std::string("cannot stat: ") + std::strerror(errno));
        r.head.bytes.assign(start.begin(), start.end());
        if (S_ISREG(st.st_mode) && ::lseek(fd.get(), static_cast<off_t>(start.size()), SEEK_SET) < 0)
            throw record_error(std::string("cannot read: ") + std::strerror(errno));
        read_preset_rest(fd.get(), st, r.head);
    } catch (...) {
        r.error = std::current_exception();
    }
}

// Sums up a preset that was read whole, as walk's records need it.
void summarize(probe_result& r, const char* name) {
    if (r.open_errno != 0 || r.error || r.head.kind == preset_kind::none) return;
    try {
        r.summary = summarize_preset(r.head.bytes, name);
    } catch (...) {
        r.summary_error = std::current_exception();
    }
}

// What probe_file gives for `job`, from a batch's result `b` for it: read
// on where the batch left it, and summed up. `spare` lends a large
// preset's buffer and gets it back.
void settle(const head_batch::result& b, int dirfd, const probe_job& job, read_bytes& spare, probe_result& r) {
    switch (settled_by_batch(b, job.whole_head, r)) {
        case settled::yes: summarize(r, job.name); break;
        case settled::again: r = probe_file(dirfd, job.name, job.whole_head); break;
        case settled::rest:
            r.head.bytes = std::move(spare);
            read_rest(dirfd, job.name, b.bytes, r);
            summarize(r, job.name);
            // Nothing past the summary reads a preset's bytes: the buffer
            // serves the next one, with no fresh pages.
            if (r.summary) spare = std::move(r.head.bytes);
            break;
    }
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
    // Reads jobs [from, to) of the run starting at `first` on this thread,
    // and uses each.
    auto own = [&](std::size_t first, std::size_t from, std::size_t to) {
        requests.clear();
        for (std::size_t i = from; i < to; ++i) requests.push_back({jobs[first + i].name, jobs[first + i].whole_head});
        batch_->run(dirfd, requests);
        for (std::size_t i = from; i < to; ++i) {
            probe_result r;
            settle(batch_->get(i - from), dirfd, jobs[first + i], spare_, r);
            use(first + i, r);
        }
    };
    // Ends the helper's part of a run should anything throw while it still
    // reads names out of `jobs`.
    struct end_guard {
        helper* h = nullptr;
        ~end_guard() {
            if (!h) return;
            try {
                h->end();
            } catch (...) {  // the exception under way says enough
            }
        }
    } pending;
    // A step bounds what the helper's results hold at once.
    const std::size_t step = helper_ ? 1024 : head_batch::max_files;
    for (std::size_t begin = 0; begin < jobs.size(); begin += step) {
        std::size_t n = std::min(jobs.size() - begin, step);
        if (!helper_ || n < least_to_split) {
            own(begin, 0, n);
            continue;
        }
        helper_->ask(dirfd, jobs.subspan(begin, n));
        pending.h = helper_.get();
        std::size_t met = 0;
        for (auto [from, to] = helper_->claim(true); from != to; std::tie(from, to) = helper_->claim(true)) {
            own(begin, from, to);
            met = to;
        }
        pending.h = nullptr;
        helper_->end();
        // The rest is the helper's, settled in order.
        for (std::size_t i = met; i < n; ++i) use(begin + i, helper_->results[i]);
    }
}

}  // namespace vr
