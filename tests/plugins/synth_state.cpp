// SPDX-License-Identifier: GPL-3.0-or-later
#include "synth_state.hpp"

#include <array>
#include <cstring>

namespace vr::test_synth {

namespace {

constexpr char magic[4] = {'V', 'R', 'T', 'S'};

// More values than this is not a state of ours, whatever the header says.
constexpr std::uint32_t max_values = 1024;

constexpr std::array<std::uint32_t, 256> make_crc_table()
{
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int j = 0; j < 8; ++j)
            c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        t[i] = c;
    }
    return t;
}

constexpr auto crc_table = make_crc_table();

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// Reads little-endian fields, refusing to step past the end.
class reader {
public:
    reader(const std::uint8_t* p, std::size_t n) : p_(p), n_(n) {}

    bool u32(std::uint32_t& v)
    {
        if (n_ - pos_ < 4)
            return false;
        v = 0;
        for (int i = 0; i < 4; ++i)
            v |= static_cast<std::uint32_t>(p_[pos_ + i]) << (8 * i);
        pos_ += 4;
        return true;
    }

    bool bytes(void* dst, std::size_t count)
    {
        if (n_ - pos_ < count)
            return false;
        if (count > 0)
            std::memcpy(dst, p_ + pos_, count);
        pos_ += count;
        return true;
    }

    std::size_t left() const { return n_ - pos_; }

private:
    const std::uint8_t* p_;
    std::size_t n_;
    std::size_t pos_ = 0;
};

} // namespace

std::uint32_t crc32(const void* data, std::size_t size)
{
    const auto* p = static_cast<const std::uint8_t*>(data);
    std::uint32_t c = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < size; ++i)
        c = crc_table[(c ^ p[i]) & 0xFFu] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

std::vector<std::uint8_t> encode_state(const synth_state& s)
{
    std::vector<std::uint8_t> out(magic, magic + 4);
    put_u32(out, state_version);
    put_u32(out, static_cast<std::uint32_t>(s.values.size()));
    for (float f : s.values) {
        std::uint32_t bits = 0;
        static_assert(sizeof bits == sizeof f);
        std::memcpy(&bits, &f, sizeof bits);
        put_u32(out, bits);
    }
    put_u32(out, s.program);
    put_u32(out, static_cast<std::uint32_t>(s.payload.size()));
    out.insert(out.end(), s.payload.begin(), s.payload.end());
    return out;
}

std::optional<synth_state> decode_state(const void* data, std::size_t size)
{
    if (data == nullptr)
        return std::nullopt;
    reader r(static_cast<const std::uint8_t*>(data), size);
    char m[4];
    std::uint32_t version = 0, count = 0;
    if (!r.bytes(m, 4) || std::memcmp(m, magic, 4) != 0)
        return std::nullopt;
    if (!r.u32(version) || version != state_version)
        return std::nullopt;
    if (!r.u32(count) || count > max_values || r.left() / 4 < count)
        return std::nullopt;
    synth_state s;
    s.values.resize(count);
    for (auto& f : s.values) {
        std::uint32_t bits = 0;
        r.u32(bits);
        std::memcpy(&f, &bits, sizeof f);
    }
    std::uint32_t payload_size = 0;
    if (!r.u32(s.program) || !r.u32(payload_size) || r.left() < payload_size)
        return std::nullopt;
    s.payload.resize(payload_size);
    r.bytes(s.payload.data(), payload_size);
    return s;
}

} // namespace vr::test_synth
