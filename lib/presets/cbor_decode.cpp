// SPDX-License-Identifier: GPL-3.0-or-later
// decode_cbor: libcbor's streaming decoder drives an explicit stack of open
// containers. libcbor's own tree loader is not used: cbor_decref frees nested
// items recursively (deep input would overflow the C stack) and a definite
// array or map head makes it allocate the declared count up front.
#include <cbor.h>

#include <algorithm>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/text.hpp"
#include "presets/cbor_decode.hpp"
#include "presets/cbor_value.hpp"

namespace vr {

namespace {

constexpr std::size_t indefinite = static_cast<std::size_t>(-1);

struct open_item {
    cbor_value value;            // the array, map, tag or indefinite string
    std::size_t left;            // items still to come, or `indefinite`
    std::size_t start;           // offset of its head
    std::optional<std::string> key;  // a map key waiting for its value
};

// The decoding state the C callbacks work on. A callback never throws through
// libcbor: it records the first problem and the driver loop raises it.
struct builder {
    const cbor_limits& limits;
    std::size_t item_at = 0;     // offset of the head being decoded
    std::size_t bytes_left = 0;  // bytes from that head on: each item needs one
    std::vector<open_item> stack;
    std::optional<cbor_value> root;
    std::size_t items = 0;
    std::string problem;

    void fail(std::string message) {
        if (problem.empty()) problem = std::move(message);
    }
    std::string at() const { return " at byte " + std::to_string(item_at); }

    bool count_item() {
        if (++items > limits.max_items) {
            fail("more than " + std::to_string(limits.max_items) + " data items" + at());
            return false;
        }
        return true;
    }

    // A complete value: becomes part of the innermost open item, closing
    // every container it completes.
    void finish(cbor_value v) {
        for (;;) {
            if (stack.empty()) {
                root = std::move(v);
                return;
            }
            open_item& top = stack.back();
            using k = cbor_value::kind;
            if (top.value.type == k::bytes || top.value.type == k::text) {
                if (v.type != top.value.type) {
                    fail("indefinite-length string at byte " + std::to_string(top.start) +
                         " holds a chunk of another type" + at());
                    return;
                }
                top.value.text += v.text;
                return;  // closed by its break
            } else if (top.value.type == k::map && !top.key) {
                if (v.type != k::text) {
                    fail("map key" + at() + " is not a text string");
                    return;
                }
                top.key = std::move(v.text);
                if (top.left != indefinite) --top.left;  // a value follows: never the last
                return;
            } else if (top.value.type == k::map) {
                top.value.entries.emplace_back(std::move(*top.key), std::move(v));
                top.key.reset();
            } else {
                top.value.items.push_back(std::move(v));
            }
            if (top.left == indefinite || --top.left > 0) return;
            if (!close(top)) return;
            v = std::move(top.value);
            stack.pop_back();
        }
    }

    // Checks a complete map for repeated keys (sorting views: n log n, where
    // checking each key as it comes would take n squared on a large map).
    bool close(const open_item& item) {
        const auto& entries = item.value.entries;
        if (entries.size() < 2) return true;
        std::vector<std::string_view> keys;
        keys.reserve(entries.size());
        for (const auto& e : entries) keys.push_back(e.first);
        std::sort(keys.begin(), keys.end());
        auto dup = std::adjacent_find(keys.begin(), keys.end());
        if (dup == keys.end()) return true;
        fail("duplicate key \"" + printable_excerpt(*dup) + "\" in the map at byte " +
             std::to_string(item.start));
        return false;
    }

    void open(cbor_value v, std::size_t count) {
        if (stack.size() >= limits.max_depth) {
            fail("CBOR nested deeper than " + std::to_string(limits.max_depth) + " levels" + at());
            return;
        }
        if (count == 0) {
            finish(std::move(v));
            return;
        }
        stack.push_back({std::move(v), count, item_at, std::nullopt});
    }

    void scalar(cbor_value v) {
        if (count_item()) finish(std::move(v));
    }
};

builder& self(void* ctx) { return *static_cast<builder*>(ctx); }

void on_uint(void* ctx, std::uint64_t v) { self(ctx).scalar(cbor_value::unsigned_int(v)); }
void on_uint8(void* ctx, std::uint8_t v) { on_uint(ctx, v); }
void on_uint16(void* ctx, std::uint16_t v) { on_uint(ctx, v); }
void on_uint32(void* ctx, std::uint32_t v) { on_uint(ctx, v); }
void on_negint(void* ctx, std::uint64_t v) {
    cbor_value c;
    c.type = cbor_value::kind::negative_int;
    c.number = v;
    self(ctx).scalar(std::move(c));
}
void on_negint8(void* ctx, std::uint8_t v) { on_negint(ctx, v); }
void on_negint16(void* ctx, std::uint16_t v) { on_negint(ctx, v); }
void on_negint32(void* ctx, std::uint32_t v) { on_negint(ctx, v); }

void on_string(void* ctx, cbor_data data, std::size_t size, cbor_value::kind type) {
    cbor_value c;
    c.type = type;
    c.text.assign(reinterpret_cast<const char*>(data), size);
    if (type == cbor_value::kind::text && !valid_utf8(c.text)) {
        self(ctx).fail("text string" + self(ctx).at() + " is not valid UTF-8");
        return;
    }
    self(ctx).scalar(std::move(c));
}
void on_bytes(void* ctx, cbor_data data, std::size_t size) {
    on_string(ctx, data, size, cbor_value::kind::bytes);
}
void on_text(void* ctx, cbor_data data, std::size_t size) {
    on_string(ctx, data, size, cbor_value::kind::text);
}
void open_kind(void* ctx, cbor_value::kind type, std::size_t count) {
    builder& b = self(ctx);
    if (!b.count_item()) return;
    cbor_value c;
    c.type = type;
    b.open(std::move(c), count);
}
void on_bytes_start(void* ctx) { open_kind(ctx, cbor_value::kind::bytes, indefinite); }
void on_text_start(void* ctx) { open_kind(ctx, cbor_value::kind::text, indefinite); }
void on_indef_array(void* ctx) { open_kind(ctx, cbor_value::kind::array, indefinite); }
void on_indef_map(void* ctx) { open_kind(ctx, cbor_value::kind::map, indefinite); }

void on_array(void* ctx, std::size_t count) {
    builder& b = self(ctx);
    if (count > b.bytes_left) {
        b.fail("array" + b.at() + " declares " + std::to_string(count) + " items, more than the " +
               std::to_string(b.bytes_left) + " bytes left");
        return;
    }
    open_kind(ctx, cbor_value::kind::array, count);
}
void on_map(void* ctx, std::size_t count) {
    builder& b = self(ctx);
    if (count > b.bytes_left / 2) {
        b.fail("map" + b.at() + " declares " + std::to_string(count) + " pairs, more than the " +
               std::to_string(b.bytes_left) + " bytes left can hold");
        return;
    }
    open_kind(ctx, cbor_value::kind::map, count * 2);
}
void on_tag(void* ctx, std::uint64_t tag) {
    builder& b = self(ctx);
    if (!b.count_item()) return;
    cbor_value c;
    c.type = cbor_value::kind::tag;
    c.number = tag;
    b.open(std::move(c), 1);
}
void on_float(cbor_value c, void* ctx) {
    c.type = cbor_value::kind::floating;
    self(ctx).scalar(std::move(c));
}
void on_float2(void* ctx, float v) {
    cbor_value c;
    c.width = 2;
    c.number = half_bits_from_float(v);
    on_float(std::move(c), ctx);
}
void on_float4(void* ctx, float v) { on_float(cbor_value::float32(v), ctx); }
void on_float8(void* ctx, double v) { on_float(cbor_value::float64(v), ctx); }
void on_simple(void* ctx, cbor_value::kind type) {
    cbor_value c;
    c.type = type;
    self(ctx).scalar(std::move(c));
}
void on_null(void* ctx) { on_simple(ctx, cbor_value::kind::null); }
void on_undefined(void* ctx) { on_simple(ctx, cbor_value::kind::undefined); }
void on_bool(void* ctx, bool v) { self(ctx).scalar(cbor_value::boolean_value(v)); }
void on_break(void* ctx) {
    builder& b = self(ctx);
    if (b.stack.empty() || b.stack.back().left != indefinite) {
        b.fail("unexpected break (0xff)" + b.at());
        return;
    }
    if (b.stack.back().key) {
        b.fail("indefinite map at byte " + std::to_string(b.stack.back().start) +
               " ends after a key without its value" + b.at());
        return;
    }
    if (!b.close(b.stack.back())) return;
    cbor_value done = std::move(b.stack.back().value);
    b.stack.pop_back();
    b.finish(std::move(done));
}

const cbor_callbacks callbacks = [] {
    cbor_callbacks c = cbor_empty_callbacks;
    c.uint8 = on_uint8;
    c.uint16 = on_uint16;
    c.uint32 = on_uint32;
    c.uint64 = on_uint;
    c.negint8 = on_negint8;
    c.negint16 = on_negint16;
    c.negint32 = on_negint32;
    c.negint64 = on_negint;
    c.byte_string_start = on_bytes_start;
    c.byte_string = on_bytes;
    c.string_start = on_text_start;
    c.string = on_text;
    c.indef_array_start = on_indef_array;
    c.array_start = on_array;
    c.indef_map_start = on_indef_map;
    c.map_start = on_map;
    c.tag = on_tag;
    c.float2 = on_float2;
    c.float4 = on_float4;
    c.float8 = on_float8;
    c.undefined = on_undefined;
    c.null = on_null;
    c.boolean = on_bool;
    c.indef_break = on_break;
    return c;
}();

}  // namespace

cbor_value decode_cbor(std::span<const std::uint8_t> data, const cbor_limits& limits,
                       std::size_t base_offset) {
    builder b{limits};
    std::size_t pos = 0;
    auto fail = [&](const std::string& message, std::size_t at) -> void {
        throw format_error(message, base_offset + at);
    };
    if (data.empty()) fail("the CBOR payload is empty", 0);
    while (!b.root) {
        if (pos == data.size())
            fail("truncated at byte " + std::to_string(base_offset + pos) + ": CBOR item at byte " +
                     std::to_string(b.stack.empty() ? base_offset : b.stack.back().start) +
                     " is not complete",
                 pos);
        b.item_at = base_offset + pos;
        auto rest = data.subspan(pos);
        b.bytes_left = rest.size();
        cbor_decoder_result r = cbor_stream_decode(rest.data(), rest.size(), &callbacks, &b);
        if (r.status == CBOR_DECODER_NEDATA)
            fail("truncated at byte " + std::to_string(base_offset + data.size()) +
                     ": the CBOR item at byte " + std::to_string(b.item_at) + " needs " +
                     std::to_string(r.required) + " bytes, " + std::to_string(rest.size()) + " left",
                 data.size());
        if (r.status != CBOR_DECODER_FINISHED)
            fail("malformed CBOR at byte " + std::to_string(b.item_at) +
                     ": reserved or unsupported initial byte 0x" +
                     [&] {
                         static const char hex[] = "0123456789abcdef";
                         return std::string{hex[rest[0] >> 4], hex[rest[0] & 15]};
                     }(),
                 pos);
        pos += r.read;
        if (!b.problem.empty()) fail(b.problem, pos);
    }
    if (pos != data.size())
        fail(std::to_string(data.size() - pos) + " bytes of trailing data after the CBOR item, at byte " +
                 std::to_string(base_offset + pos),
             pos);
    return std::move(*b.root);
}

}  // namespace vr
