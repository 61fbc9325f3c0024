// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/files.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.hpp"
#include "core/handles.hpp"

namespace vr {

namespace {

std::string errno_text(const std::string& path, const std::string& doing) {
    return path + ": " + doing + ": " + std::strerror(errno);
}

}  // namespace

const char* file_kind(unsigned mode) {
    mode_t m = static_cast<mode_t>(mode);
    if (S_ISDIR(m)) return "a directory";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISSOCK(m)) return "a socket";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISLNK(m)) return "a symbolic link";
    return "not a regular file";
}

std::vector<std::uint8_t> read_file(const std::string& path, std::size_t max_bytes) {
    // O_NONBLOCK so that opening a FIFO never waits for a writer.
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fd) throw record_error(errno_text(path, "cannot open"));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw record_error(errno_text(path, "cannot stat"));
    if (!S_ISREG(st.st_mode)) throw record_error(path + ": " + file_kind(st.st_mode) + ", not a file");
    if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
        throw record_error(path + ": " + std::to_string(st.st_size) + " bytes, over the limit of " +
                           std::to_string(max_bytes));
    std::vector<std::uint8_t> out(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    for (;;) {
        if (got == out.size()) {
            // The file may have grown since fstat: read one more byte to see.
            if (out.size() >= max_bytes) {
                std::uint8_t probe;
                ssize_t n = ::read(fd.get(), &probe, 1);
                if (n > 0)
                    throw record_error(path + ": grew past the limit of " +
                                       std::to_string(max_bytes) + " bytes while being read");
                break;
            }
            out.resize(std::min(max_bytes, out.size() + 65536));
        }
        ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw record_error(errno_text(path, "cannot read"));
        }
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    out.resize(got);
    return out;
}

void point_link_at(const std::string& link, const std::string& target) {
    const std::string temp = temp_path_beside(link);
    if (::symlink(target.c_str(), temp.c_str()) != 0)
        throw record_error("cannot make the link " + link + ": " + std::strerror(errno));
    if (::rename(temp.c_str(), link.c_str()) != 0) {
        const int e = errno;
        ::unlink(temp.c_str());
        throw record_error("cannot make the link " + link + ": " + std::strerror(e));
    }
}

std::string temp_path_beside(const std::string& path) {
    static std::atomic<unsigned> counter{0};
    std::filesystem::path p(path);
    std::string name = "." + p.filename().string();
    // Keep the temporary name within NAME_MAX even for a 255-byte filename.
    if (name.size() > 200) name.resize(200);
    name += std::string(temp_marker) + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    return (p.parent_path() / name).string();
}

bool is_temp_name(const std::string& filename) {
    return filename.size() > 1 && filename[0] == '.' &&
           filename.find(temp_marker) != std::string::npos;
}

int write_all(int fd, std::span<const std::uint8_t> bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        done += static_cast<std::size_t>(n);
    }
    return 0;
}

void write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes) {
    std::string tmp = temp_path_beside(path);
    unique_fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd) throw record_error(errno_text(path, "cannot create"));
    try {
        if (int error = write_all(fd.get(), bytes)) {
            errno = error;
            throw record_error(errno_text(path, "cannot write"));
        }
        fd.close(path + ": cannot close");
        if (::rename(tmp.c_str(), path.c_str()) != 0)
            throw record_error(errno_text(path, "cannot rename into place"));
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
}

std::string absolute_path(const std::string& path) {
    std::error_code ec;
    auto abs = std::filesystem::absolute(path, ec);
    if (ec) throw record_error(path + ": cannot make absolute: " + ec.message());
    return abs.lexically_normal().string();
}

void make_dirs(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw record_error(dir + ": cannot create folder: " + ec.message());
}

std::optional<std::string> stat_identity(const std::string& path) {
    struct stat st {};
    if (path.empty() || ::stat(path.c_str(), &st) != 0) return std::nullopt;
    auto time = [](const timespec& t) { return std::to_string(t.tv_sec) + "." + std::to_string(t.tv_nsec); };
    return path + '\0' + std::to_string(st.st_dev) + " " + std::to_string(st.st_ino) + " " +
           std::to_string(st.st_size) + " " + time(st.st_mtim) + " " + time(st.st_ctim);
}

}  // namespace vr
