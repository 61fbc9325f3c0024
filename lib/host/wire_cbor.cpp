// SPDX-License-Identifier: GPL-3.0-or-later
#include "host/wire_cbor.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

namespace vr::host {

namespace {

class reader {
public:
    reader(const std::uint8_t* at, const std::uint8_t* end) : at_(at), end_(end) {}

    bool done() const { return at_ == end_; }

    json item(int depth) {
        if (depth > wire_cbor_max_depth) fail("nested too deep");
        const std::uint8_t head = byte();
        const int major = head >> 5;
        const int info = head & 0x1f;
        if (major == 7) return simple(info);
        const std::uint64_t n = argument(info);
        switch (major) {
            case 0: return json(n);
            case 1:  // to_cbor writes a std::int64_t
                if (n > static_cast<std::uint64_t>(INT64_MAX)) fail("a negative integer below -2^63");
                return json(-1 - static_cast<std::int64_t>(n));
            case 2: {
                const std::uint8_t* from = take(n);
                return json::binary(std::vector<std::uint8_t>(from, from + n));
            }
            case 3: {
                const std::uint8_t* from = take(n);
                return json(std::string(reinterpret_cast<const char*>(from), static_cast<std::size_t>(n)));
            }
            case 4: {
                room_for(n);  // each element is a byte at least
                json array = json::array();
                array.get_ref<json::array_t&>().reserve(static_cast<std::size_t>(n));
                for (std::uint64_t i = 0; i < n; ++i) array.push_back(item(depth + 1));
                return array;
            }
            case 5: {
                room_for(n);
                room_for(n * 2);  // each key and value is a byte at least
                json object = json::object();
                for (std::uint64_t i = 0; i < n; ++i) {
                    json key = item(depth + 1);
                    if (!key.is_string()) fail("a map key that is not text");
                    object[key.get_ref<const std::string&>()] = item(depth + 1);
                }
                return object;
            }
            default: fail("a tag");  // major 6: to_cbor writes none
        }
    }

private:
    [[noreturn]] static void fail(const char* what) { throw wire_cbor_error(std::string("CBOR: ") + what); }

    std::uint8_t byte() {
        if (at_ == end_) fail("the message ends inside an item");
        return *at_++;
    }

    void room_for(std::uint64_t n) const {
        if (n > static_cast<std::uint64_t>(end_ - at_)) fail("a length past the message's end");
    }

    const std::uint8_t* take(std::uint64_t n) {
        room_for(n);
        const std::uint8_t* from = at_;
        at_ += n;
        return from;
    }

    // A big-endian unsigned of `bytes` bytes.
    std::uint64_t big_endian(int bytes) {
        const std::uint8_t* from = take(static_cast<std::uint64_t>(bytes));
        std::uint64_t v = 0;
        for (int i = 0; i < bytes; ++i) v = v << 8 | from[i];
        return v;
    }

    // The argument of a head whose additional information is info: the
    // value itself, or 1, 2, 4 or 8 bytes after the head.
    std::uint64_t argument(int info) {
        std::uint64_t n;
        if (info < 24)
            n = static_cast<std::uint64_t>(info);
        else if (info <= 27)
            n = big_endian(1 << (info - 24));
        else
            fail("an indefinite or reserved length");
        return n;
    }

    json simple(int info) {
        switch (info) {
            case 20: return json(false);
            case 21: return json(true);
            case 22: return json(nullptr);
            case 25: return json(half(static_cast<std::uint16_t>(big_endian(2))));
            case 26: {
                const auto bits = static_cast<std::uint32_t>(big_endian(4));
                float f;
                std::memcpy(&f, &bits, sizeof f);
                return json(static_cast<double>(f));
            }
            case 27: {
                const std::uint64_t bits = big_endian(8);
                double d;
                std::memcpy(&d, &bits, sizeof d);
                return json(d);
            }
            default: fail("a simple value to_cbor does not write");
        }
    }

    // IEEE 754 half precision (RFC 8949, appendix D).
    static double half(std::uint16_t h) {
        const int exponent = (h >> 10) & 0x1f;
        const int mantissa = h & 0x3ff;
        double v;
        if (exponent == 0)
            v = std::ldexp(mantissa, -24);
        else if (exponent != 31)
            v = std::ldexp(mantissa + 1024, exponent - 25);
        else
            v = mantissa == 0 ? INFINITY : NAN;
        return (h & 0x8000) ? -v : v;
    }

    const std::uint8_t* at_;
    const std::uint8_t* const end_;
};

}  // namespace

json wire_from_cbor(const std::uint8_t* data, std::size_t size) {
    reader r(data, data + size);
    json j = r.item(0);
    if (!r.done()) throw wire_cbor_error("CBOR: bytes after the message's item");
    return j;
}

}  // namespace vr::host
