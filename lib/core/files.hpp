// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vr {

// Reads a whole regular file of at most max_bytes. Throws record_error naming
// the path for a missing or unreadable file, a directory, a FIFO or device
// (never blocks on one), or a file over the cap.
std::vector<std::uint8_t> read_file(const std::string& path, std::size_t max_bytes);

// What a file that is not regular is, for messages: "a directory", "a FIFO", ...
const char* file_kind(unsigned mode);

// Writes every byte to fd (a short write or EINTR goes on); 0 when all
// were written, else the errno of the write that failed.
int write_all(int fd, std::span<const std::uint8_t> bytes);

// Writes bytes to path atomically: a temporary file in the same folder,
// flushed, closed and checked, then renamed over path. A reader never sees a
// partial file; on failure nothing is left at path or in the folder.
void write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes);

// Makes link a symbolic link to target, replacing whatever link was (as
// `ln -sfn`), atomically: a temporary link beside it renamed over it.
// Throws record_error naming link when it cannot.
void point_link_at(const std::string& link, const std::string& target);

// The name of a fresh temporary file beside path: ".<name>.vr-tmp-<pid>-<n>".
// Tools that clean up after killed runs look for the ".vr-tmp-" marker.
std::string temp_path_beside(const std::string& path);

// What marks our temporary files' names (see temp_path_beside).
inline constexpr std::string_view temp_marker = ".vr-tmp-";

// True when name is one of our temporary files (see temp_path_beside).
bool is_temp_name(const std::string& filename);

// path made absolute against the working folder and lexically normalised;
// symlinks are not resolved.
std::string absolute_path(const std::string& path);

// Creates the folder and its parents (like mkdir -p); throws record_error.
void make_dirs(const std::string& dir);

// path as stat sees it, as text: device, inode, size, modification and
// change times, so that a file replaced or rewritten in place reads as
// another; nullopt when it cannot be stat'ed. For keys of what a process
// learnt about a file (a plugin binary's hash, a warm render-one).
std::optional<std::string> stat_identity(const std::string& path);

}  // namespace vr
