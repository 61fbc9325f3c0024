// SPDX-License-Identifier: GPL-3.0-or-later
#include "wine/server_lookup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "core/files.hpp"
#include "core/handles.hpp"

namespace vr::wine {

namespace {

// The pid holding the write lock wine's server takes on byte 0 of its lock
// file for its whole life: 0 when none holds it (or there is no such file).
pid_t lock_owner(const std::string& lock_path) {
    unique_fd fd(::open(lock_path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (!fd) return 0;
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = 0;
    fl.l_len = 1;
    if (::fcntl(fd.get(), F_GETLK, &fl) != 0 || fl.l_type == F_UNLCK) return 0;
    return fl.l_pid > 0 ? fl.l_pid : -1;
}

// Debian's wine names its server's temporary folder (a basename under
// $TMPDIR or /tmp) in the prefix's `wineserver` file; "" when there is none.
std::string debian_tmp_folder(const std::string& prefix) {
    unique_fd fd(::open((prefix + "/wineserver").c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > 255) return "";
    char buf[256];
    ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
    if (n <= 0) return "";
    std::string name(buf, static_cast<std::size_t>(n));
    while (!name.empty() && (name.back() == '\n' || name.back() == ' ')) name.pop_back();
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) return "";
    const char* tmpdir = std::getenv("TMPDIR");
    return std::string(tmpdir && tmpdir[0] == '/' ? tmpdir : "/tmp") + "/" + name;
}

}  // namespace

pid_t server_pid(const std::string& prefix) {
    const std::string dir = absolute_path(prefix);
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) return 0;
    char name[64];
    std::snprintf(name, sizeof name, "/server-%llx-%llx/lock", static_cast<unsigned long long>(st.st_dev),
                  static_cast<unsigned long long>(st.st_ino));
    const std::string uid = std::to_string(::getuid());
    std::vector<std::string> roots = {"/run/user/" + uid + "/wine"};
    if (std::string tmp = debian_tmp_folder(dir); !tmp.empty()) roots.push_back(tmp);
    roots.push_back("/tmp/.wine-" + uid);
    for (const auto& root : roots)
        if (pid_t pid = lock_owner(root + name)) return pid;
    return 0;
}

std::string server_identity(pid_t pid) {
    if (pid <= 0) return "";
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // The command name (field 2) may hold spaces and parentheses: fields
    // are counted from the last ")".
    const auto close = text.rfind(')');
    if (close == std::string::npos) return "";
    std::istringstream rest(text.substr(close + 1));
    std::string field;
    for (int i = 3; i <= 22 && rest >> field; ++i)
        if (i == 22) return std::to_string(pid) + " " + field;
    return "";
}

std::vector<pid_t> flock_holders(int fd) {
    std::vector<pid_t> pids;
    struct stat st {};
    if (::fstat(fd, &st) != 0) return pids;
    char file[64];
    std::snprintf(file, sizeof file, "%02x:%02x:%llu", ::major(st.st_dev), ::minor(st.st_dev),
                  static_cast<unsigned long long>(st.st_ino));
    std::FILE* locks = std::fopen("/proc/locks", "re");
    if (!locks) return pids;
    char line[256];
    while (std::fgets(line, sizeof line, locks)) {
        char kind[16], mode[16], access[16], where[64];
        long pid = 0;
        if (std::strstr(line, "->") ||
            std::sscanf(line, "%*d: %15s %15s %15s %ld %63s", kind, mode, access, &pid, where) != 5)
            continue;
        if (std::strcmp(kind, "FLOCK") == 0 && std::strcmp(where, file) == 0) pids.push_back(static_cast<pid_t>(pid));
    }
    std::fclose(locks);
    return pids;
}

}  // namespace vr::wine
