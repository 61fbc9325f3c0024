// SPDX-License-Identifier: GPL-3.0-or-later
// preset-scan's walk: folders in byte-wise order of paths, symlinks followed
// without looping, nothing opened that could block.
//
// Kept cheap because most files of a sample library are not presets: a
// folder is listed with getdents64, and the type the listing gives (d_type)
// spares a stat per regular file. Its files are opened relative to its
// descriptor and read in batches (presets/probe.hpp): the first bytes of a
// file, or the whole of one named like a preset, through one io_uring_enter
// for a hundred files. Whenever a call fails, the walk asks again the way
// the path-based walk did (stat, then open), so that every message stays
// the same.
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <dirent.h>
#include <exception>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <optional>
#include <utility>
#include <vector>

#include "core/files.hpp"
#include "core/handles.hpp"
#include "core/text.hpp"
#include "presets/detect.hpp"
#include "presets/probe.hpp"
#include "presets/scan.hpp"
#include "presets/walk.hpp"

namespace vr {

namespace {

// Folders deeper than this are walked by whole paths: one descriptor stays
// open per level, and a deep tree must not run out of them.
constexpr std::size_t max_open_levels = 64;

struct entry {
    std::string key;  // the name, plus '/' for a folder: sorts children as their paths sort
    bool regular = false;  // a regular file by the listing's d_type: not stat'ed
    bool stat_ok = false;
    int stat_errno = 0;
    struct stat st {};

    bool is_folder() const { return stat_ok && S_ISDIR(st.st_mode); }
    std::string_view name() const {
        return std::string_view(key).substr(0, key.size() - (is_folder() ? 1 : 0));
    }
};

// Where a folder's entries are found: its descriptor, or (-1) whole paths.
// A path the kernel would refuse as too long is always used whole, so that
// the error is the one the path-based walk gave.
struct place {
    int dirfd;
    const char* name;
    place(int fd, const std::string& name_, const std::string& path)
        : dirfd(fd >= 0 && path.size() < PATH_MAX ? fd : AT_FDCWD),
          name(dirfd == AT_FDCWD ? path.c_str() : name_.c_str()) {}
};

struct walk {
    const scan_options& options;
    record_writer& out;
    std::string root;  // scan_root
    std::vector<std::pair<dev_t, ino_t>> ancestors;
    folder_prober prober;

    std::string relative(const std::string& path) const {
        return path.substr(root == "/" ? 1 : root.size() + 1);
    }

    // A record for path, with the path fields when they are valid UTF-8.
    json base(const std::string& path) const {
        json r;
        if (valid_utf8(path)) {
            r["preset_path"] = path;
            r["preset_format"] = nullptr;
            r["preset_plugin_id"] = nullptr;
            r["preset_name"] = nullptr;
            r["scan_root"] = root;
            r["relative_path"] = relative(path);
        }
        return r;
    }

    void error(const std::string& path, const std::string& message) {
        json r;
        if (valid_utf8(path)) {
            r["preset_path"] = path;
            r["scan_root"] = root;
            if (path != root) r["relative_path"] = relative(path);
        } else if (valid_utf8(root)) {
            r["scan_root"] = root;
        }
        set_error(r, printable_excerpt(path, 4096) + ": " + message);
        out.write(r);
    }

    // The records of a file whose bytes have been read: a preset's, or an
    // error when the name claims a preset (or the file was named on the
    // command line) and the bytes say otherwise.
    // `summed` is the summary the prober made, when it did.
    void found(const std::string& path, const preset_head& head, preset_kind claimed, bool operand,
               const probe_result* summed = nullptr) {
        try {
            if (head.kind == preset_kind::none) throw not_a_preset(describe_content(head.bytes));
            if (summed && summed->summary_error) std::rethrow_exception(summed->summary_error);
            std::optional<preset_summary> own;
            const preset_summary& s =
                summed && summed->summary ? *summed->summary : own.emplace(summarize_preset(head.bytes, path));
            if (!valid_utf8(path)) {
                error(path, "the path is not valid UTF-8, so no record can hold it (rename the file)");
                return;
            }
            write_preset_records(base(path), s, options.expand_banks, out);
        } catch (const not_a_preset& e) {
            if (claimed != preset_kind::none || operand)
                error(path, std::string(e.what()) + ", not " +
                                (claimed != preset_kind::none ? preset_kind_text(claimed) : "a preset"));
        } catch (const record_error& e) {
            error(path, e.what());
        }
    }

    // A file operand, or a folder's entry that stat says is a regular file.
    void file(const std::string& path, bool operand) {
        preset_kind claimed = claimed_by_name(path);
        if (options.by_extension && claimed == preset_kind::none && !operand) return;
        preset_head head;
        try {
            head.bytes = read_preset_file(path);
            head.kind = sniff_preset_any(std::span(head.bytes).first(std::min(head.bytes.size(), sniff_size)));
        } catch (const not_a_preset& e) {
            if (claimed != preset_kind::none || operand)
                error(path, std::string(e.what()) + ", not " +
                                (claimed != preset_kind::none ? preset_kind_text(claimed) : "a preset"));
            return;
        } catch (const record_error& e) {
            error(path, e.what());
            return;
        }
        found(path, head, claimed, operand);
    }

    // The records of a folder's file that the listing says is regular, from
    // what probing it found. A failed open is asked about again as the
    // path-based walk did: stat first, then open.
    void probed(const std::string& path, int dirfd, const char* name, preset_kind claimed, probe_result& r) {
        if (r.open_errno != 0) {
            struct stat st {};
            if (::fstatat(dirfd, name, &st, 0) != 0)
                error(path, std::string("cannot stat: ") + std::strerror(errno));
            else
                error(path, std::string("cannot open: ") + std::strerror(r.open_errno));
            return;
        }
        if (r.error) {
            try {
                std::rethrow_exception(r.error);
            } catch (const record_error& e) {
                error(path, e.what());
            }
            return;
        }
        if (r.head.kind == preset_kind::none && claimed == preset_kind::none) return;
        found(path, r.head, claimed, false, &r);
    }

    // A run of a folder's entries that the listing says are regular files,
    // [begin, end): probed relative to the folder and reported in order.
    void listed_files(int dirfd, const std::string& path, const std::vector<entry>& entries,
                      std::size_t begin, std::size_t end) {
        std::vector<probe_job> jobs;
        std::vector<std::pair<const entry*, preset_kind>> of_job;
        for (std::size_t i = begin; i < end; ++i) {
            preset_kind claimed = claimed_by_name(entries[i].key);
            if (options.by_extension && claimed == preset_kind::none) continue;
            // The whole head only when a message may have to describe it.
            jobs.push_back({entries[i].key.c_str(), claimed != preset_kind::none});
            of_job.emplace_back(&entries[i], claimed);
        }
        std::string child;
        auto use = [&](std::size_t k, probe_result& r) {
            const auto& [e, claimed] = of_job[k];
            child.assign(path == "/" ? "" : path).append("/").append(e->key);
            place at(dirfd, e->key, child);
            probed(child, at.dirfd, at.name, claimed, r);
        };
        // A descriptor and names the kernel takes: the usual case.
        if (dirfd >= 0 && path.size() + 1 + NAME_MAX < PATH_MAX) {
            prober.run(dirfd, jobs, use);
            return;
        }
        for (std::size_t k = 0; k < jobs.size(); ++k) {
            const entry* e = of_job[k].first;
            child.assign(path == "/" ? "" : path).append("/").append(e->key);
            place at(dirfd, e->key, child);
            probe_result r = probe_file(at.dirfd, at.name, jobs[k].whole_head);
            use(k, r);
        }
    }

    // Lists a folder's entries, sorted; false (after an error record) when
    // it cannot be read.
    bool list(int fd, const std::string& path, std::vector<entry>& entries) {
        alignas(8) char buf[32768];
        for (;;) {
            ssize_t n = ::getdents64(fd, buf, sizeof buf);
            if (n < 0) {
                if (errno == EINTR) continue;
                error(path, std::string("cannot read folder: ") + std::strerror(errno));
                return false;
            }
            if (n == 0) break;
            for (ssize_t at = 0; at < n;) {
                auto* d = reinterpret_cast<const dirent64*>(buf + at);
                at += d->d_reclen;
                std::string name = d->d_name;
                // Our own half-written files (write_file_atomic) are not presets yet.
                if (name == "." || name == ".." || is_temp_name(name)) continue;
                entry e;
                e.key = std::move(name);
                if (d->d_type == DT_REG) {
                    e.regular = true;
                } else {
                    // Folders too: their device and inode catch symlink loops.
                    std::string child = path == "/" ? "/" + e.key : path + "/" + e.key;
                    place at_child(fd, e.key, child);
                    e.stat_ok = ::fstatat(at_child.dirfd, at_child.name, &e.st, 0) == 0;
                    e.stat_errno = e.stat_ok ? 0 : errno;
                    if (e.is_folder()) e.key += '/';
                }
                entries.push_back(std::move(e));
            }
        }
        std::sort(entries.begin(), entries.end(),
                  [](const entry& a, const entry& b) { return a.key < b.key; });
        return true;
    }

    // A folder, opened relative to its parent's descriptor when there is one.
    void folder(const std::string& path, const struct stat& st, int parent_fd, const std::string& name) {
        auto id = std::make_pair(st.st_dev, st.st_ino);
        if (std::find(ancestors.begin(), ancestors.end(), id) != ancestors.end()) {
            error(path, "a symlink loop: this folder contains itself; not walked again");
            return;
        }
        place at(parent_fd, name, path);
        unique_fd fd(::openat(at.dirfd, at.name, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC));
        if (!fd) {
            error(path, std::string("cannot open folder: ") + std::strerror(errno));
            return;
        }
        std::vector<entry> entries;
        if (!list(fd.get(), path, entries)) return;
        if (ancestors.size() >= max_open_levels) fd = unique_fd();
        ancestors.push_back(id);
        std::string child;
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const entry& e = entries[i];
            if (e.regular) {
                std::size_t end = i + 1;
                while (end < entries.size() && entries[end].regular) ++end;
                listed_files(fd.get(), path, entries, i, end);
                i = end - 1;
                continue;
            }
            std::string_view child_name = e.name();
            child.assign(path == "/" ? "" : path).append("/").append(child_name);
            bool claimed = claimed_by_name(child_name) != preset_kind::none;
            if (!e.stat_ok) {
                if (!options.by_extension || claimed)
                    error(child, std::string("cannot stat: ") + std::strerror(e.stat_errno));
            } else if (S_ISDIR(e.st.st_mode)) {
                folder(child, e.st, fd.get(), std::string(child_name));
            } else if (S_ISREG(e.st.st_mode)) {
                file(child, false);
            } else if (claimed) {
                // FIFOs, sockets, devices: never opened; named like a preset, they are a mistake.
                error(child, std::string(file_kind(e.st.st_mode)) + ", not a file");
            }
        }
        ancestors.pop_back();
    }
};

std::string without_trailing_slash(std::string path) {
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    return path;
}

}  // namespace

void scan_operand(const std::string& operand, const scan_options& options, record_writer& out) {
    std::string path = without_trailing_slash(absolute_path(operand));
    struct stat st {};
    walk w{options, out, path, {}, folder_prober(options.batched_reads)};
    if (::stat(path.c_str(), &st) != 0) {
        w.error(path, std::string("cannot stat: ") + std::strerror(errno));
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        w.folder(path, st, -1, path);
        return;
    }
    // A file operand: its folder is the root, its name the relative path.
    auto slash = path.rfind('/');
    w.root = slash == 0 ? "/" : path.substr(0, slash);
    if (!S_ISREG(st.st_mode))
        w.error(path, std::string(file_kind(st.st_mode)) + ", not a file");
    else
        w.file(path, true);
}

}  // namespace vr
