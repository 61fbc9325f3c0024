// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace vr {

// Lower-case hex SHA-256 of the bytes (OpenSSL's libcrypto).
std::string sha256_hex(std::span<const std::uint8_t> bytes);

// Lower-case hex MD5 of the bytes (OpenSSL's libcrypto).
std::string md5_hex(std::span<const std::uint8_t> bytes);

// Lower-case hex (32 digits) 128-bit FNV-1a of the text: for names a
// program gives its own things (a warm render-one's socket), not for
// content or trust. No library: render-one, the command, hashes its warm
// render-one's key without loading libcrypto, whose start costs it half a
// millisecond (issue 33).
std::string name_hash_hex(std::string_view text);

}  // namespace vr
