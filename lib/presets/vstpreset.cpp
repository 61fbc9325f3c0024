// SPDX-License-Identifier: GPL-3.0-or-later
#include "presets/vstpreset.hpp"

#include <algorithm>

#include "core/cursor.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "presets/detect.hpp"

namespace vr {

namespace {

constexpr std::size_t header_size = 48;  // 'VST3', version, class id, list offset
constexpr std::size_t entry_size = 20;   // id, offset, size

[[noreturn]] void fail_at(std::size_t offset, const std::string& message) {
    throw format_error(message, offset);
}

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// A 64-bit offset or size field, which must be a position within the file.
std::uint64_t within(byte_cursor& in, const char* what, std::size_t file_size) {
    std::size_t at = in.offset();
    std::int64_t v = in.i64le(what);
    if (v < 0) fail_at(at, std::string("negative ") + what + " " + std::to_string(v) + " at byte " +
                               std::to_string(at));
    if (static_cast<std::uint64_t>(v) > file_size)
        fail_at(at, std::string(what) + " " + std::to_string(v) + " at byte " + std::to_string(at) +
                        " is past the end of the file (" + std::to_string(file_size) +
                        " bytes; truncated?)");
    return static_cast<std::uint64_t>(v);
}

vst3_chunk read_entry(byte_cursor& in, std::span<const std::uint8_t> file) {
    vst3_chunk c;
    std::size_t at = in.offset();
    c.id = std::string(in.chars(4, "chunk id"));
    if (!std::all_of(c.id.begin(), c.id.end(), [](char ch) { return ch >= 0x20 && ch <= 0x7E; }))
        fail_at(at, "chunk id at byte " + std::to_string(at) + " is not four printable characters: '" +
                        printable_excerpt(c.id) + "'");
    c.offset = within(in, "chunk offset", file.size());
    std::size_t size_at = in.offset();
    c.size = within(in, "chunk size", file.size());
    if (c.size > file.size() - c.offset)
        fail_at(size_at, "chunk '" + c.id + "' of " + std::to_string(c.size) + " bytes at byte " +
                             std::to_string(c.offset) + " runs past the end of the file (" +
                             std::to_string(file.size()) + " bytes; truncated?)");
    c.bytes = file.subspan(static_cast<std::size_t>(c.offset), static_cast<std::size_t>(c.size));
    return c;
}

}  // namespace

const vst3_chunk* vst3_preset::find(std::string_view id) const {
    for (const auto& c : chunks)
        if (c.id == id) return &c;
    return nullptr;
}

std::span<const std::uint8_t> vst3_preset::component() const {
    const auto* c = find("Comp");
    return c ? c->bytes : std::span<const std::uint8_t>{};
}

std::optional<std::span<const std::uint8_t>> vst3_preset::controller() const {
    if (const auto* c = find("Cont")) return c->bytes;
    return std::nullopt;
}

std::optional<std::span<const std::uint8_t>> vst3_preset::info() const {
    if (const auto* c = find("Info")) return c->bytes;
    return std::nullopt;
}

vst3_preset parse_vstpreset(std::span<const std::uint8_t> bytes) {
    if (sniff_preset(bytes) != preset_kind::vstpreset)
        fail_at(0, describe_content(bytes.first(std::min(bytes.size(), sniff_size))) +
                       ", not a VST3 preset (no 'VST3' at byte 0)");
    byte_cursor in(bytes);
    in.skip(4, "magic");
    vst3_preset p;
    std::size_t at = in.offset();
    p.version = in.i32le("version");
    if (p.version < 1)
        fail_at(at, "version " + std::to_string(p.version) + " at byte " + std::to_string(at) +
                        " is not a VST3 preset version (1 or later)");
    at = in.offset();
    p.class_id = std::string(in.chars(32, "class id"));
    if (!std::all_of(p.class_id.begin(), p.class_id.end(), is_hex))
        fail_at(at, "class id at byte " + std::to_string(at) + " is not 32 hex digits: '" +
                        printable_excerpt(p.class_id) + "'");
    at = in.offset();
    p.list_offset = within(in, "chunk list offset", bytes.size());
    if (p.list_offset < header_size)
        fail_at(at, "chunk list offset " + std::to_string(p.list_offset) + " at byte " +
                        std::to_string(at) + " points into the header");
    in.seek(static_cast<std::size_t>(p.list_offset), "chunk list offset");
    at = in.offset();
    auto list = in.chars(std::min<std::size_t>(4, in.remaining()), "chunk list");
    if (list != "List")
        fail_at(at, "expected 'List' at byte " + std::to_string(at) + " (the chunk list offset), found '" +
                        printable_excerpt(list) + "'");
    at = in.offset();
    std::int32_t count = in.i32le("chunk count");
    if (count < 0 || static_cast<std::size_t>(count) * entry_size > in.remaining())
        fail_at(at, "chunk count " + std::to_string(count) + " at byte " + std::to_string(at) +
                        " does not fit: " + std::to_string(in.remaining()) + " bytes left for " +
                        std::to_string(entry_size) + "-byte entries (truncated?)");
    for (std::int32_t i = 0; i < count; ++i) {
        at = in.offset();
        auto c = read_entry(in, bytes);
        if (p.find(c.id))
            fail_at(at, "chunk '" + c.id + "' listed twice (again at byte " + std::to_string(at) + ")");
        p.chunks.push_back(std::move(c));
    }
    if (!p.find("Comp"))
        fail_at(static_cast<std::size_t>(p.list_offset),
                "no component state: the chunk list has no 'Comp' entry, nothing to load");
    return p;
}

}  // namespace vr
