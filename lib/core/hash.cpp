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

std::string name_hash_hex(std::string_view text) {
    // FNV-1a, 128 bits: its offset basis and prime (2^88 + 0x13B).
    using u128 = unsigned __int128;
    const u128 prime = (u128{1} << 88) + 0x13B;
    u128 h = (u128{0x6c62272e07bb0142} << 64) | 0x62b821756295c58d;
    for (unsigned char c : text) {
        h ^= c;
        h *= prime;
    }
    static const char digits[] = "0123456789abcdef";
    std::string out(32, '0');
    for (int i = 31; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = digits[static_cast<unsigned>(h & 0xf)];
    return out;
}

}  // namespace vr
