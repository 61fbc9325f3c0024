// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/hash.hpp"

#include <openssl/evp.h>

#include "core/error.hpp"
#include "core/handles.hpp"

namespace vr {

namespace {

struct md_ctx_free {
    void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};

std::string digest_hex(const EVP_MD* md, std::span<const std::uint8_t> bytes) {
    unique_handle<EVP_MD_CTX, md_ctx_free> ctx(EVP_MD_CTX_new());
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), out, &len) != 1)
        throw fatal_error("libcrypto digest failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string s;
    s.reserve(len * 2);
    for (unsigned i = 0; i < len; ++i) {
        s += hex[out[i] >> 4];
        s += hex[out[i] & 15];
    }
    return s;
}

}  // namespace

std::string sha256_hex(std::span<const std::uint8_t> bytes) { return digest_hex(EVP_sha256(), bytes); }
std::string md5_hex(std::span<const std::uint8_t> bytes) { return digest_hex(EVP_md5(), bytes); }

}  // namespace vr
