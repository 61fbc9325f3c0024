// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/handles.hpp"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace vr {

unique_fd& unique_fd::operator=(unique_fd&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
}

unique_fd::~unique_fd() {
    if (fd_ >= 0) ::close(fd_);
}

void unique_fd::close(const std::string& what) {
    int fd = std::exchange(fd_, -1);
    if (fd >= 0 && ::close(fd) != 0)
        throw record_error(what + ": " + std::strerror(errno));
}

void fclose_checked(unique_file& f, const std::string& what) {
    std::FILE* raw = f.release();
    if (raw && std::fclose(raw) != 0)
        throw record_error(what + ": " + std::strerror(errno));
}

}  // namespace vr
