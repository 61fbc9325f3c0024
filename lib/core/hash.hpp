// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <span>
#include <string>

namespace vr {

// Lower-case hex SHA-256 of the bytes (OpenSSL's libcrypto).
std::string sha256_hex(std::span<const std::uint8_t> bytes);

// Lower-case hex MD5 of the bytes (OpenSSL's libcrypto).
std::string md5_hex(std::span<const std::uint8_t> bytes);

}  // namespace vr
