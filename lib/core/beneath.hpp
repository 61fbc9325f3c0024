// SPDX-License-Identifier: GPL-3.0-or-later
// A folder opened once, and files below it created without following
// symbolic links: what a tool writes under an output root stays under it,
// even when a link is planted below the root while the tool runs.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/handles.hpp"

namespace vr {

// The components of path below root, both made absolute against the working
// folder and lexically normalised. Throws record_error when path has a ".."
// component (before normalising) or does not lie strictly below root.
std::vector<std::string> components_below(const std::string& root, const std::string& path);

// An output root: a folder opened once by its path (the root itself may be a
// symbolic link: whoever named it chose it), below which every folder and
// file is opened component by component from the root's descriptor, with
// openat2(2) RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS (or openat(2) O_NOFOLLOW
// where the kernel lacks openat2). A symbolic link anywhere below the root
// fails the call with a record_error naming it; nothing goes through it.
class beneath {
public:
    // Opens root (made absolute and normalised), creating it and its parents
    // first when create is set. Throws record_error naming root.
    beneath(const std::string& root, bool create);

    // Opens root when it exists (nullopt when it does not); throws
    // record_error when it cannot be opened for another reason.
    static std::optional<beneath> open_existing(const std::string& root);

    const std::string& root() const noexcept { return root_; }

    // Writes bytes to path (below the root) atomically: missing folders are
    // created with mkdirat(2), a temporary file is written beside the
    // output (temp_path_beside's name), closed, checked, and renamed over it
    // with renameat(2) inside the opened folder. A link on the way or at
    // path itself fails it with record_error; nothing is left behind.
    void write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes) const;

    // Whether something exists at path (below the root), looked at without
    // following links; a link on the way or at path: record_error.
    bool exists(const std::string& path) const;

    // The folder that holds path, opened without following links: its
    // missing folders created when create is set, else an empty unique_fd
    // when one is missing. A link or a non-folder on the way: record_error.
    unique_fd folder_of(const std::string& path, bool create) const;

private:
    beneath(std::string root, unique_fd fd) : root_(std::move(root)), fd_(std::move(fd)) {}

    std::string root_;
    unique_fd fd_;
};

// For tests: whether the openat(2) fallback is used instead of openat2(2)
// (as on a kernel older than 5.6).
void beneath_force_fallback(bool on);

}  // namespace vr
