// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/beneath.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/error.hpp"
#include "core/files.hpp"

namespace vr {

namespace {

// Set once openat2 answered ENOSYS (a kernel before 5.6), or by tests.
std::atomic<bool> use_fallback{false};

std::string without_trailing_slash(std::string s) {
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    return s;
}

std::string error_text(const std::string& path, const char* doing, int err) {
    return path + ": " + doing + ": " + std::strerror(err);
}

// Opens one name (never "..", never holding '/') in the folder dirfd without
// following a link, whatever the kernel offers.
int open_one(int dirfd, const std::string& name, int flags, mode_t mode) {
    flags |= O_CLOEXEC | O_NOFOLLOW;
    if (!use_fallback.load(std::memory_order_relaxed)) {
        open_how how{};
        how.flags = static_cast<std::uint64_t>(flags);
        how.mode = (flags & O_CREAT) ? mode : 0;
        how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
        // EAGAIN: a rename elsewhere raced the lookup; the kernel asks for a retry.
        for (int tries = 0; tries < 64; ++tries) {
            long fd = ::syscall(SYS_openat2, dirfd, name.c_str(), &how, sizeof how);
            if (fd >= 0) return static_cast<int>(fd);
            if (errno != EINTR && errno != EAGAIN) break;
        }
        if (errno != ENOSYS) return -1;
        use_fallback.store(true, std::memory_order_relaxed);
    }
    int fd;
    do fd = ::openat(dirfd, name.c_str(), flags, mode);
    while (fd < 0 && errno == EINTR);
    return fd;
}

std::string link_message(const std::string& shown, bool last) {
    return shown + ": a symbolic link inside the output folder; refusing to write " +
           (last ? "through it" : "below it");
}

// Why opening `name` in dirfd failed with err, as the error to throw: a link
// or a non-folder found there is named as such, whatever errno said.
record_error refusal(int dirfd, const std::string& name, const std::string& shown, bool last, int err,
                     const char* doing) {
    struct stat st {};
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(st.st_mode)) return record_error(link_message(shown, last));
        if (!last && !S_ISDIR(st.st_mode)) return record_error(shown + ": exists and is not a folder");
    }
    return record_error(error_text(shown, doing, err));
}

// A link at `name` in dirfd (the file itself) fails; a missing file is fine.
// Returns whether something is there.
bool check_last(int dirfd, const std::string& name, const std::string& shown) {
    struct stat st {};
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return false;
        throw record_error(error_text(shown, "cannot inspect", errno));
    }
    if (S_ISLNK(st.st_mode)) throw record_error(link_message(shown, true));
    return true;
}

// The folder reached from rootfd through parts, each opened without
// following a link; missing ones are made when create is set, else the
// result is empty. shown grows into the path of the last part reached.
unique_fd walk(int rootfd, const std::vector<std::string>& parts, bool create, std::string& shown) {
    unique_fd held(::fcntl(rootfd, F_DUPFD_CLOEXEC, 0));
    if (!held) throw record_error(error_text(shown, "cannot open folder", errno));
    for (const auto& part : parts) {
        shown += "/" + part;
        int fd = open_one(held.get(), part, O_RDONLY | O_DIRECTORY, 0);
        if (fd < 0 && errno == ENOENT) {
            if (!create) return {};
            if (::mkdirat(held.get(), part.c_str(), 0777) != 0 && errno != EEXIST)
                throw refusal(held.get(), part, shown, false, errno, "cannot create folder");
            fd = open_one(held.get(), part, O_RDONLY | O_DIRECTORY, 0);
        }
        if (fd < 0) throw refusal(held.get(), part, shown, false, errno, "cannot open folder");
        held = unique_fd(fd);
    }
    return held;
}

}  // namespace

std::vector<std::string> components_below(const std::string& root, const std::string& path) {
    namespace fs = std::filesystem;
    const std::string abs_root = without_trailing_slash(absolute_path(root));
    // Lexical ".." would name another folder than the kernel's through a link: refused outright.
    for (const auto& c : fs::path(path))
        if (c == "..") throw record_error(path + ": a '..' component; refused below the output root " + abs_root);
    const std::string abs = absolute_path(path);
    if (abs.size() > 1 && abs.back() == '/') throw record_error(path + ": names a folder, not a file");
    std::vector<std::string> parts;
    for (const auto& c : fs::path(abs).lexically_relative(abs_root)) {
        std::string s = c.string();
        if (s == ".." || s == "." || s.empty()) {
            parts.clear();
            break;
        }
        parts.push_back(std::move(s));
    }
    if (parts.empty()) throw record_error(path + ": not below the output root " + abs_root);
    return parts;
}

beneath::beneath(const std::string& root, bool create) : root_(without_trailing_slash(absolute_path(root))) {
    if (create) make_dirs(root_);
    fd_ = unique_fd(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd_) throw record_error(error_text(root_, "cannot open folder", errno));
}

std::optional<beneath> beneath::open_existing(const std::string& root) {
    std::string abs = without_trailing_slash(absolute_path(root));
    unique_fd fd(::open(abs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return std::nullopt;
        throw record_error(error_text(abs, "cannot open folder", errno));
    }
    return beneath(std::move(abs), std::move(fd));
}

void beneath::write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes) const {
    auto parts = components_below(root_, path);
    const std::string name = parts.back();
    parts.pop_back();
    std::string shown = root_;
    unique_fd dir = walk(fd_.get(), parts, true, shown);
    shown += "/" + name;
    check_last(dir.get(), name, shown);
    const std::string tmp = temp_path_beside(name);
    unique_fd fd(open_one(dir.get(), tmp, O_WRONLY | O_CREAT | O_EXCL, 0644));
    if (!fd) throw record_error(error_text(shown, "cannot create", errno));
    try {
        if (int error = write_all(fd.get(), bytes)) throw record_error(error_text(shown, "cannot write", error));
        fd.close(shown + ": cannot close");
        // Again: a link planted while the file was written is refused too
        // (one planted after this is replaced by the rename, not followed).
        check_last(dir.get(), name, shown);
        if (::renameat(dir.get(), tmp.c_str(), dir.get(), name.c_str()) != 0)
            throw record_error(error_text(shown, "cannot rename into place", errno));
    } catch (...) {
        ::unlinkat(dir.get(), tmp.c_str(), 0);
        throw;
    }
}

bool beneath::exists(const std::string& path) const {
    auto parts = components_below(root_, path);
    const std::string name = parts.back();
    parts.pop_back();
    std::string shown = root_;
    unique_fd dir = walk(fd_.get(), parts, false, shown);
    if (!dir) return false;
    return check_last(dir.get(), name, shown + "/" + name);
}

unique_fd beneath::folder_of(const std::string& path, bool create) const {
    auto parts = components_below(root_, path);
    parts.pop_back();
    std::string shown = root_;
    return walk(fd_.get(), parts, create, shown);
}

void beneath_force_fallback(bool on) { use_fallback.store(on, std::memory_order_relaxed); }

}  // namespace vr
