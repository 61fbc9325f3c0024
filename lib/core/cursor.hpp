// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace vr {

// A bounds-checked reader over an untrusted byte buffer. Every read checks
// what is left and throws format_error ("truncated at byte N: ...") instead
// of reading past the end. Offsets in messages are absolute in the file.
class byte_cursor {
public:
    byte_cursor(std::span<const std::uint8_t> data, std::size_t base_offset = 0)
        : data_(data), base_(base_offset) {}

    // Absolute offset of the next byte.
    std::size_t offset() const noexcept { return base_ + pos_; }
    std::size_t remaining() const noexcept { return data_.size() - pos_; }
    bool at_end() const noexcept { return pos_ == data_.size(); }

    // Throws unless n more bytes are available; `what` names the field.
    void need(std::size_t n, std::string_view what) const {
        if (n > remaining())
            fail("truncated at byte " + std::to_string(offset()) + ": " + std::string(what) +
                 " needs " + std::to_string(n) + " bytes, " + std::to_string(remaining()) +
                 " left");
    }

    std::uint8_t u8(std::string_view what) {
        need(1, what);
        return data_[pos_++];
    }
    std::uint16_t u16le(std::string_view what) { return static_cast<std::uint16_t>(le(2, what)); }
    std::uint16_t u16be(std::string_view what) { return static_cast<std::uint16_t>(be(2, what)); }
    std::uint32_t u24be(std::string_view what) { return static_cast<std::uint32_t>(be(3, what)); }
    std::uint32_t u32le(std::string_view what) { return static_cast<std::uint32_t>(le(4, what)); }
    std::uint32_t u32be(std::string_view what) { return static_cast<std::uint32_t>(be(4, what)); }
    std::uint64_t u64le(std::string_view what) { return le(8, what); }
    std::int32_t i32be(std::string_view what) { return static_cast<std::int32_t>(u32be(what)); }
    std::int32_t i32le(std::string_view what) { return static_cast<std::int32_t>(u32le(what)); }
    std::int64_t i64le(std::string_view what) { return static_cast<std::int64_t>(u64le(what)); }
    float f32be(std::string_view what) { return std::bit_cast<float>(u32be(what)); }

    // The next n bytes, as a view into the buffer.
    std::span<const std::uint8_t> bytes(std::size_t n, std::string_view what) {
        need(n, what);
        auto s = data_.subspan(pos_, n);
        pos_ += n;
        return s;
    }
    std::string_view chars(std::size_t n, std::string_view what) {
        auto b = bytes(n, what);
        return {reinterpret_cast<const char*>(b.data()), b.size()};
    }
    // A cursor over the next n bytes (absolute offsets kept); this one moves past them.
    byte_cursor sub(std::size_t n, std::string_view what) {
        std::size_t at = offset();
        return byte_cursor(bytes(n, what), at);
    }
    void skip(std::size_t n, std::string_view what) { bytes(n, what); }
    // Moves to an offset relative to the start of this cursor's buffer.
    void seek(std::size_t pos, std::string_view what) {
        if (pos > data_.size())
            fail(std::string(what) + " points to byte " + std::to_string(base_ + pos) +
                 ", past the end (" + std::to_string(base_ + data_.size()) + " bytes)");
        pos_ = pos;
    }
    // The rest of the buffer, without moving.
    std::span<const std::uint8_t> rest() const noexcept { return data_.subspan(pos_); }

    // Throws format_error at the current offset.
    [[noreturn]] void fail(const std::string& message) const {
        throw format_error(message, offset());
    }

private:
    std::uint64_t be(std::size_t n, std::string_view what) {
        need(n, what);
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < n; ++i) v = (v << 8) | data_[pos_ + i];
        pos_ += n;
        return v;
    }
    std::uint64_t le(std::size_t n, std::string_view what) {
        need(n, what);
        std::uint64_t v = 0;
        for (std::size_t i = n; i-- > 0;) v = (v << 8) | data_[pos_ + i];
        pos_ += n;
        return v;
    }

    std::span<const std::uint8_t> data_;
    std::size_t base_;
    std::size_t pos_ = 0;
};

}  // namespace vr
