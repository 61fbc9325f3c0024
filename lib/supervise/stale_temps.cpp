// SPDX-License-Identifier: GPL-3.0-or-later
// Temporary files of killed runs: write_file_atomic names them
// ".<name>.vr-tmp-<pid>-<n>", so the pid says whether their writer may still
// be at work.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/handles.hpp"
#include "supervise/stale_temps.hpp"

namespace vr {

namespace {

// The writer's pid in a temporary's name, or 0 when the name is not ours.
pid_t writer_pid(const std::string& name) {
    if (!is_temp_name(name)) return 0;
    auto at = name.rfind(temp_marker);
    const char* p = name.data() + at + temp_marker.size();
    const char* end = name.data() + name.size();
    long pid = 0;
    auto [next, ec] = std::from_chars(p, end, pid);
    if (ec != std::errc() || next == p || next == end || *next != '-' || pid <= 0) return 0;
    return static_cast<pid_t>(pid);
}

// The machine's boot time, seconds since the epoch (0 when unknown).
long long boot_time() {
    std::ifstream in("/proc/stat");
    std::string key;
    long long value = 0;
    while (in >> key) {
        if (key == "btime" && in >> value) return value;
        in.ignore(1 << 20, '\n');
    }
    return 0;
}

// Whether a file last written at mtime (seconds since the epoch) may still be
// in the hands of process pid: it runs (not a zombie) and started before then.
// pid_max is small (32768 by default), so a dead writer's pid is soon reused:
// the start time tells the reuser apart.
bool writer_may_live(pid_t pid, double mtime) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!in || !std::getline(in, text)) return false;
    // "pid (comm) state ... starttime": comm may hold spaces and parentheses.
    auto close = text.rfind(')');
    if (close == std::string::npos) return true;
    std::istringstream fields(text.substr(close + 1));
    std::string state;
    fields >> state;
    if (state == "Z" || state == "X") return false;
    std::string skip;
    for (int i = 0; i < 18 && fields >> skip; ++i) {
    }
    unsigned long long start_ticks = 0;
    long long btime = boot_time();
    if (!(fields >> start_ticks) || btime == 0) return true;
    double started = double(btime) + double(start_ticks) / double(::sysconf(_SC_CLK_TCK));
    // btime is whole seconds: allow for it.
    return started <= mtime + 2.0;
}

}  // namespace

std::size_t remove_stale_temps_at(int dirfd, const std::string& of) {
    std::string prefix;
    if (!of.empty()) {
        prefix = "." + of;
        if (prefix.size() > 200) prefix.resize(200);  // as temp_path_beside cuts it
        prefix += temp_marker;
    }
    // fdopendir owns the descriptor it is given: a copy, so dirfd stays the caller's.
    int own = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    if (own < 0) return 0;
    DIR* d = ::fdopendir(own);
    if (!d) {
        ::close(own);
        return 0;
    }
    std::size_t removed = 0;
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (!prefix.empty() && name.compare(0, prefix.size(), prefix) != 0) continue;
        pid_t pid = writer_pid(name);
        if (pid == 0) continue;
        struct stat st {};
        if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
        double mtime = double(st.st_mtim.tv_sec) + double(st.st_mtim.tv_nsec) * 1e-9;
        if (writer_may_live(pid, mtime)) continue;
        if (::unlinkat(dirfd, name.c_str(), 0) == 0) ++removed;
    }
    ::closedir(d);
    return removed;
}

std::size_t remove_stale_temps(const std::string& dir, const std::string& of) {
    unique_fd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    return fd ? remove_stale_temps_at(fd.get(), of) : 0;
}

void stale_temps::sweep_folder_of(const std::string& path) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    if (!seen_.insert(dir).second) return;
    remove_stale_temps(dir);
}

void stale_temps::sweep_folder_of(const beneath& root, const std::string& path) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    if (seen_.count(dir)) return;
    unique_fd fd = root.folder_of(path, false);
    if (!fd) return;  // nothing there yet: nothing left over either
    seen_.insert(dir);
    remove_stale_temps_at(fd.get());
}

namespace {

// Removes the temporaries of `of` (every file when empty) in the folder
// holding path, below output_root when given.
void remove_dead_writers_temps(const std::string& path, const std::string& of, const std::string& output_root) {
    const auto p = std::filesystem::path(path);
    if (output_root.empty()) {
        remove_stale_temps(p.parent_path().string(), of);
        return;
    }
    try {
        if (auto root = beneath::open_existing(output_root))
            if (unique_fd dir = root->folder_of(path, false); dir) remove_stale_temps_at(dir.get(), of);
    } catch (const record_error&) {
        // A link below the root, or a folder gone: nothing of ours is there.
    }
}

}  // namespace

void remove_temps_of_writer(const std::string& output_path, const std::string& output_root) {
    remove_dead_writers_temps(output_path, std::filesystem::path(output_path).filename().string(), output_root);
}

void remove_temps_in_folder(const std::string& dir, const std::string& output_root) {
    remove_dead_writers_temps((std::filesystem::path(dir) / "stem").string(), "", output_root);
}

}  // namespace vr
