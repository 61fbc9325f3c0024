// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/hash.hpp"

// libcrypto's own SHA-256 and MD5 routines (its assembly, SHA extensions
// where the CPU has them), called directly: the EVP interface would load
// OpenSSL's configuration and providers first, about a millisecond of every
// process's start (README, "One job a process").
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/md5.h>
#include <openssl/sha.h>

namespace vr {

namespace {

std::string hex(const unsigned char* out, std::size_t len) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(len * 2);
    for (std::size_t i = 0; i < len; ++i) {
        s += digits[out[i] >> 4];
        s += digits[out[i] & 15];
    }
    return s;
}

}  // namespace

std::string sha256_hex(std::span<const std::uint8_t> bytes) {
    SHA256_CTX ctx;
    unsigned char out[SHA256_DIGEST_LENGTH];
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, bytes.data(), bytes.size());
    SHA256_Final(out, &ctx);
    return hex(out, sizeof out);
}

std::string md5_hex(std::span<const std::uint8_t> bytes) {
    MD5_CTX ctx;
    unsigned char out[MD5_DIGEST_LENGTH];
    MD5_Init(&ctx);
    MD5_Update(&ctx, bytes.data(), bytes.size());
    MD5_Final(out, &ctx);
    return hex(out, sizeof out);
}

}  // namespace vr
