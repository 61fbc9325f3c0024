// SPDX-License-Identifier: GPL-3.0-or-later
// The CBOR value model: builders, the encoder, key sorting, JSON export.
#include "presets/cbor_value.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace vr {

namespace {

// A value of kind t holding number (for a float, its raw bits, width bytes wide).
cbor_value of_kind(cbor_value::kind t, std::uint64_t number = 0, std::uint8_t width = 0) {
    cbor_value c;
    c.type = t;
    c.number = number;
    c.width = width;
    return c;
}

}  // namespace

cbor_value cbor_value::unsigned_int(std::uint64_t v) { return of_kind(kind::unsigned_int, v); }

cbor_value cbor_value::string(std::string_view s) {
    cbor_value c = of_kind(kind::text);
    c.text = s;
    return c;
}

cbor_value cbor_value::boolean_value(bool b) { return of_kind(kind::boolean, b ? 1 : 0); }

cbor_value cbor_value::float32(float f) {
    return of_kind(kind::floating, std::bit_cast<std::uint32_t>(f), 4);
}

cbor_value cbor_value::float64(double d) {
    return of_kind(kind::floating, std::bit_cast<std::uint64_t>(d), 8);
}

cbor_value cbor_value::empty_map() { return of_kind(kind::map); }

double half_to_double(std::uint16_t bits) {
    int exponent = (bits >> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    double v;
    if (exponent == 0)
        v = std::ldexp(mantissa, -24);
    else if (exponent == 31)
        v = mantissa ? std::numeric_limits<double>::quiet_NaN()
                     : std::numeric_limits<double>::infinity();
    else
        v = std::ldexp(mantissa + 1024, exponent - 25);
    return (bits & 0x8000) ? -v : v;
}

std::uint16_t half_bits_from_float(float f) {
    std::uint32_t b = std::bit_cast<std::uint32_t>(f);
    std::uint16_t sign = static_cast<std::uint16_t>((b >> 16) & 0x8000);
    if (std::isnan(f)) return 0x7e00;
    if (std::isinf(f)) return sign | 0x7c00;
    float a = std::fabs(f);
    if (a == 0) return sign;
    int exp2;
    std::frexp(a, &exp2);  // a = m * 2^exp2, m in [0.5, 1)
    int half_exp = exp2 - 1 + 15;
    if (half_exp <= 0)  // subnormal: a = mantissa * 2^-24
        return sign | static_cast<std::uint16_t>(std::ldexp(a, 24));
    auto mantissa = static_cast<std::uint16_t>(std::ldexp(a, 11 - exp2) - 1024);
    return sign | static_cast<std::uint16_t>(half_exp << 10) | mantissa;
}

double cbor_value::float_value() const {
    switch (width) {
    case 2: return half_to_double(static_cast<std::uint16_t>(number));
    case 4: return std::bit_cast<float>(static_cast<std::uint32_t>(number));
    default: return std::bit_cast<double>(number);
    }
}

cbor_value* cbor_value::find(std::string_view key) {
    for (auto& e : entries)
        if (e.first == key) return &e.second;
    return nullptr;
}

const cbor_value* cbor_value::find(std::string_view key) const {
    for (const auto& e : entries)
        if (e.first == key) return &e.second;
    return nullptr;
}

void cbor_value::set(std::string_view key, cbor_value value) {
    if (auto* v = find(key))
        *v = std::move(value);
    else
        entries.emplace_back(std::string(key), std::move(value));
}

bool cbor_value::erase(std::string_view key) {
    return std::erase_if(entries, [&](const entry& e) { return e.first == key; }) > 0;
}

namespace {

void put_head(std::vector<std::uint8_t>& out, int major, std::uint64_t v) {
    auto m = static_cast<std::uint8_t>(major << 5);
    int extra;
    if (v < 24) {
        out.push_back(m | static_cast<std::uint8_t>(v));
        return;
    } else if (v <= 0xff) {
        out.push_back(m | 24);
        extra = 1;
    } else if (v <= 0xffff) {
        out.push_back(m | 25);
        extra = 2;
    } else if (v <= 0xffffffff) {
        out.push_back(m | 26);
        extra = 4;
    } else {
        out.push_back(m | 27);
        extra = 8;
    }
    for (int i = extra; i-- > 0;) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void put_bits(std::vector<std::uint8_t>& out, std::uint64_t bits, int bytes) {
    for (int i = bytes; i-- > 0;) out.push_back(static_cast<std::uint8_t>(bits >> (8 * i)));
}

void encode_into(std::vector<std::uint8_t>& out, const cbor_value& v) {
    using k = cbor_value::kind;
    switch (v.type) {
    case k::unsigned_int: put_head(out, 0, v.number); break;
    case k::negative_int: put_head(out, 1, v.number); break;
    case k::bytes:
    case k::text:
        put_head(out, v.type == k::bytes ? 2 : 3, v.text.size());
        out.insert(out.end(), v.text.begin(), v.text.end());
        break;
    case k::array:
        put_head(out, 4, v.items.size());
        for (const auto& item : v.items) encode_into(out, item);
        break;
    case k::map:
        put_head(out, 5, v.entries.size());
        for (const auto& [key, value] : v.entries) {
            put_head(out, 3, key.size());
            out.insert(out.end(), key.begin(), key.end());
            encode_into(out, value);
        }
        break;
    case k::tag:
        put_head(out, 6, v.number);
        encode_into(out, v.items.at(0));
        break;
    case k::boolean: out.push_back(v.number ? 0xf5 : 0xf4); break;
    case k::null: out.push_back(0xf6); break;
    case k::undefined: out.push_back(0xf7); break;
    case k::floating:
        out.push_back(v.width == 2 ? 0xf9 : v.width == 4 ? 0xfa : 0xfb);
        put_bits(out, v.number, v.width == 2 ? 2 : v.width == 4 ? 4 : 8);
        break;
    }
}

}  // namespace

std::vector<std::uint8_t> encode_cbor(const cbor_value& value) {
    std::vector<std::uint8_t> out;
    encode_into(out, value);
    return out;
}

void sort_cbor_keys(cbor_value& value) {
    // std::string compares as unsigned bytes (char_traits<char> is memcmp).
    if (value.is_map())
        std::stable_sort(value.entries.begin(), value.entries.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& item : value.items) sort_cbor_keys(item);
    for (auto& e : value.entries) sort_cbor_keys(e.second);
}

bool cbor_keys_sorted(const cbor_value& value) {
    if (value.is_map() &&
        !std::is_sorted(value.entries.begin(), value.entries.end(),
                        [](const auto& a, const auto& b) { return a.first < b.first; }))
        return false;
    for (const auto& item : value.items)
        if (!cbor_keys_sorted(item)) return false;
    for (const auto& e : value.entries)
        if (!cbor_keys_sorted(e.second)) return false;
    return true;
}

std::string base64_encode(std::span<const std::uint8_t> bytes) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        std::uint32_t n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
        for (int s = 18; s >= 0; s -= 6) out += alphabet[(n >> s) & 63];
    }
    std::size_t rest = bytes.size() - i;
    if (rest) {
        std::uint32_t n = bytes[i] << 16;
        if (rest == 2) n |= bytes[i + 1] << 8;
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += rest == 2 ? alphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

json cbor_to_json(const cbor_value& v) {
    using k = cbor_value::kind;
    switch (v.type) {
    case k::unsigned_int: return json(v.number);
    case k::negative_int:
        if (v.number <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return json(-1 - static_cast<std::int64_t>(v.number));
        return json(-1.0 - static_cast<double>(v.number));
    case k::bytes:
        return json(base64_encode(
            {reinterpret_cast<const std::uint8_t*>(v.text.data()), v.text.size()}));
    case k::text: return json(v.text);
    case k::array: {
        json a = json::array();
        for (const auto& item : v.items) a.push_back(cbor_to_json(item));
        return a;
    }
    case k::map: {
        json o = json::object();
        for (const auto& [key, value] : v.entries) o[key] = cbor_to_json(value);
        return o;
    }
    case k::tag: return cbor_to_json(v.items.at(0));
    case k::boolean: return json(v.number != 0);
    case k::null:
    case k::undefined: return json(nullptr);
    case k::floating: {
        double d = v.float_value();
        if (std::isnan(d)) return json("NaN");
        if (std::isinf(d)) return json(d > 0 ? "Infinity" : "-Infinity");
        return json(d);
    }
    }
    return json(nullptr);
}

}  // namespace vr
