// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "core/error.hpp"

namespace vr {

// A move-only owner of a C handle, released by Free when it goes out of scope.
// Free is a function object taking the raw pointer.
template <typename T, typename Free>
using unique_handle = std::unique_ptr<T, Free>;

// A move-only owner of a file descriptor; close() reports a failed close.
class unique_fd {
public:
    unique_fd() = default;
    explicit unique_fd(int fd) noexcept : fd_(fd) {}
    unique_fd(unique_fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    unique_fd& operator=(unique_fd&& o) noexcept;
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    ~unique_fd();

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    // Gives up ownership without closing.
    int release() noexcept { return std::exchange(fd_, -1); }
    // Closes now; throws record_error naming `what` when close(2) fails.
    void close(const std::string& what);

private:
    int fd_ = -1;
};

struct file_closer {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
// A FILE* closed when it goes out of scope (use fclose_checked to see errors).
using unique_file = unique_handle<std::FILE, file_closer>;

// Closes f now and throws record_error naming `what` when the close fails.
void fclose_checked(unique_file& f, const std::string& what);

}  // namespace vr
