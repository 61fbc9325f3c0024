// SPDX-License-Identifier: GPL-3.0-or-later
// Temporary files left by killed writers, found and removed.
#pragma once
#include <cstddef>
#include <set>
#include <string>

#include "core/beneath.hpp"

namespace vr {

// Removes temporaries (see temp_path_beside) whose writer is gone: in each
// folder once per run, and those of one file after its writer was killed.
class stale_temps {
public:
    // The first time path's folder is seen, removes the temporaries in it
    // whose process is gone.
    void sweep_folder_of(const std::string& path);
    // The same below an output root: the folder is opened without following
    // links (a link on the way: record_error), and a missing one is skipped.
    void sweep_folder_of(const beneath& root, const std::string& path);

private:
    std::set<std::string> seen_;
};

// Removes the temporaries in dir (or only those of file name `of`, when not
// empty) whose writing process is gone: its pid is not alive, or belongs to
// a process started after the file was last written. Returns how many were
// removed; never throws.
std::size_t remove_stale_temps(const std::string& dir, const std::string& of = "");

// Removes the temporaries of output_path whose writer is gone (after a
// worker was killed); below output_root (when not empty) in the folder
// opened without following links: a link planted there leads nowhere, and
// nothing is removed. Never throws.
void remove_temps_of_writer(const std::string& output_path, const std::string& output_root);

// The same for every file in folder dir (a song's stems_dir, whose stem
// names the supervisor does not know). Never throws.
void remove_temps_in_folder(const std::string& dir, const std::string& output_root);

// remove_stale_temps in the folder open as dirfd (which stays open): names
// looked at and removed relative to it, never through a link.
std::size_t remove_stale_temps_at(int dirfd, const std::string& of = "");

}  // namespace vr
