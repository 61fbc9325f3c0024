// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/records.hpp"

namespace vr {

// One CBOR data item, kept as written: each float at its width (its raw bits),
// map entries in their order, byte strings apart from text. Map keys are text
// strings (all that Serum writes); integers are stored as CBOR stores them.
struct cbor_value {
    enum class kind : std::uint8_t {
        unsigned_int,  // number
        negative_int,  // -1 - number
        bytes,         // text holds the bytes
        text,          // text, valid UTF-8
        array,         // items
        map,           // entries
        tag,           // number is the tag, items[0] the tagged item
        boolean,       // number 0 or 1
        null,
        undefined,
        floating,      // number holds the raw bits, width 2, 4 or 8 bytes
    };
    using entry = std::pair<std::string, cbor_value>;

    kind type = kind::null;
    std::uint8_t width = 0;
    std::uint64_t number = 0;
    std::string text;
    std::vector<cbor_value> items;
    std::vector<entry> entries;

    // Builders for values of each kind.
    static cbor_value unsigned_int(std::uint64_t v);
    static cbor_value string(std::string_view s);
    static cbor_value boolean_value(bool b);
    static cbor_value float32(float f);
    static cbor_value float64(double d);
    static cbor_value empty_map();

    // Same kind, width, bits, bytes and order.
    bool operator==(const cbor_value&) const = default;

    bool is_map() const noexcept { return type == kind::map; }
    // The float's value, exact at any width (floating only).
    double float_value() const;
    // The map entry under key, or nullptr (maps only; first match).
    cbor_value* find(std::string_view key);
    const cbor_value* find(std::string_view key) const;
    // Sets key to value: replaces the first entry of that key or appends one.
    void set(std::string_view key, cbor_value value);
    // Removes every entry under key; true when there was one.
    bool erase(std::string_view key);
};

// Encodes value as CBOR: shortest integer and length heads, definite lengths,
// floats at their own width, map entries in their stored order.
std::vector<std::uint8_t> encode_cbor(const cbor_value& value);

// Sorts the keys of every map in the tree byte-wise (as Serum writes its state).
void sort_cbor_keys(cbor_value& value);

// True when every map in the tree has its keys in byte-wise order.
bool cbor_keys_sorted(const cbor_value& value);

// The value as JSON: floats by their exact value (non-finite ones as the
// strings "NaN", "Infinity", "-Infinity"), byte strings as RFC 4648 base64,
// a tag as the item it tags, undefined as null.
json cbor_to_json(const cbor_value& value);

// RFC 4648 base64 with padding.
std::string base64_encode(std::span<const std::uint8_t> bytes);

// The raw bits of a half-precision float equal to f, which must be exactly
// representable as one (NaNs become the quiet NaN 0x7e00).
std::uint16_t half_bits_from_float(float f);

// The value of a half-precision float given by its bits.
double half_to_double(std::uint16_t bits);

}  // namespace vr
