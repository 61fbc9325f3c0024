// SPDX-License-Identifier: GPL-3.0-or-later
// preset-scan's walk: folders in byte-wise order of paths, symlinks followed
// without looping, nothing opened that could block.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <sys/stat.h>
#include <utility>
#include <vector>

#include "core/files.hpp"
#include "core/handles.hpp"
#include "core/text.hpp"
#include "presets/detect.hpp"
#include "presets/scan.hpp"
#include "presets/walk.hpp"

namespace vr {

namespace {

struct dir_closer {
    void operator()(DIR* d) const noexcept { ::closedir(d); }
};
using unique_dir = unique_handle<DIR, dir_closer>;

struct entry {
    std::string name;
    std::string key;  // name, plus '/' for a folder: sorts children as their paths sort
    bool stat_ok = false;
    int stat_errno = 0;
    struct stat st {};
};

struct walk {
    const scan_options& options;
    record_writer& out;
    std::string root;  // scan_root
    std::vector<std::pair<dev_t, ino_t>> ancestors;

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

    // One regular file (or, for an operand, whatever it is).
    void file(const std::string& path, bool operand) {
        bool claimed = claimed_by_name(path) != preset_kind::none;
        if (options.by_extension && !claimed && !operand) return;
        try {
            auto bytes = read_preset_file(path);
            auto s = summarize_preset(bytes, path);
            if (!valid_utf8(path)) {
                error(path, "the path is not valid UTF-8, so no record can hold it (rename the file)");
                return;
            }
            write_preset_records(base(path), s, options.expand_banks, out);
        } catch (const not_a_preset& e) {
            if (claimed || operand)
                error(path, std::string(e.what()) + ", not " +
                                (claimed ? preset_kind_text(claimed_by_name(path)) : "a preset"));
        } catch (const record_error& e) {
            error(path, e.what());
        }
    }

    void folder(const std::string& path, const struct stat& st) {
        auto id = std::make_pair(st.st_dev, st.st_ino);
        if (std::find(ancestors.begin(), ancestors.end(), id) != ancestors.end()) {
            error(path, "a symlink loop: this folder contains itself; not walked again");
            return;
        }
        std::vector<entry> entries;
        {
            unique_dir dir(::opendir(path.c_str()));
            if (!dir) {
                error(path, std::string("cannot open folder: ") + std::strerror(errno));
                return;
            }
            errno = 0;
            while (dirent* d = ::readdir(dir.get())) {
                std::string name = d->d_name;
                // Our own half-written files (write_file_atomic) are not presets yet.
                if (name == "." || name == ".." || is_temp_name(name)) continue;
                entry e;
                e.name = name;
                std::string child = path == "/" ? "/" + name : path + "/" + name;
                e.stat_ok = ::stat(child.c_str(), &e.st) == 0;
                e.stat_errno = e.stat_ok ? 0 : errno;
                e.key = name + (e.stat_ok && S_ISDIR(e.st.st_mode) ? "/" : "");
                entries.push_back(std::move(e));
                errno = 0;
            }
            if (errno != 0) {
                error(path, std::string("cannot read folder: ") + std::strerror(errno));
                return;
            }
        }
        std::sort(entries.begin(), entries.end(),
                  [](const entry& a, const entry& b) { return a.key < b.key; });
        ancestors.push_back(id);
        for (const auto& e : entries) {
            std::string child = path == "/" ? "/" + e.name : path + "/" + e.name;
            bool claimed = claimed_by_name(child) != preset_kind::none;
            if (!e.stat_ok) {
                if (!options.by_extension || claimed)
                    error(child, std::string("cannot stat: ") + std::strerror(e.stat_errno));
            } else if (S_ISDIR(e.st.st_mode)) {
                folder(child, e.st);
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
    walk w{options, out, path, {}};
    if (::stat(path.c_str(), &st) != 0) {
        w.error(path, std::string("cannot stat: ") + std::strerror(errno));
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        w.folder(path, st);
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
