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

// One digest in one call: libcrypto's init, update and final for Ctx.
template <typename Ctx, std::size_t Len>
std::string digest_hex(std::span<const std::uint8_t> bytes, int (*init)(Ctx*), int (*update)(Ctx*, const void*, size_t),
                       int (*final)(unsigned char*, Ctx*)) {
    Ctx ctx;
    unsigned char out[Len];
    init(&ctx);
    update(&ctx, bytes.data(), bytes.size());
    final(out, &ctx);
    return hex(out, Len);
}

std::string sha256_hex(std::span<const std::uint8_t> bytes) {
    return digest_hex<SHA256_CTX, SHA256_DIGEST_LENGTH>(bytes, SHA256_Init, SHA256_Update, SHA256_Final);
}

std::string md5_hex(std::span<const std::uint8_t> bytes) {
    return digest_hex<MD5_CTX, MD5_DIGEST_LENGTH>(bytes, MD5_Init, MD5_Update, MD5_Final);
}

}  // namespace vr
