// SPDX-License-Identifier: GPL-3.0-or-later
#include "audio/ogg.hpp"

#include <array>
#include <cstring>

#include "core/cursor.hpp"
#include "core/error.hpp"

namespace vr {

namespace {

constexpr std::size_t serial_offset = 14;  // within a page header
constexpr std::size_t crc_offset = 22;
constexpr std::size_t segments_offset = 26;

std::array<std::uint32_t, 256> make_crc_table() {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t r = i << 24;
        for (int b = 0; b < 8; ++b) r = (r & 0x80000000u) ? (r << 1) ^ 0x04c11db7u : r << 1;
        t[i] = r;
    }
    return t;
}

void put_u32le(std::uint8_t* at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) at[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

}  // namespace

std::uint32_t ogg_crc(std::span<const std::uint8_t> bytes) {
    static const auto table = make_crc_table();
    std::uint32_t crc = 0;
    for (std::uint8_t b : bytes) crc = (crc << 8) ^ table[((crc >> 24) ^ b) & 0xff];
    return crc;
}

void set_ogg_serial(std::span<std::uint8_t> file, std::uint32_t serial, const std::string& path) {
    try {
        byte_cursor c(file);
        std::uint32_t first_serial = 0;
        bool first = true;
        while (!c.at_end()) {
            std::size_t page_at = c.offset();
            if (c.chars(4, "page capture pattern") != "OggS")
                c.fail("expected an Ogg page (\"OggS\") at byte " + std::to_string(page_at));
            c.skip(serial_offset - 4, "page header");
            std::uint32_t s = c.u32le("stream serial");
            if (first) {
                first_serial = s;
                first = false;
            } else if (s != first_serial) {
                c.fail("the page at byte " + std::to_string(page_at) +
                       " belongs to another stream; only single-stream files are handled");
            }
            c.skip(segments_offset - serial_offset - 4, "page header");
            std::uint8_t segments = c.u8("segment count");
            std::size_t body = 0;
            for (auto lacing : c.bytes(segments, "segment table")) body += lacing;
            c.skip(body, "page body");

            auto page = file.subspan(page_at, c.offset() - page_at);
            std::uint32_t stored = 0;
            for (int i = 3; i >= 0; --i) stored = (stored << 8) | page[crc_offset + i];
            put_u32le(page.data() + crc_offset, 0);
            if (ogg_crc(page) != stored)
                c.fail("the page at byte " + std::to_string(page_at) + " fails its CRC check");
            put_u32le(page.data() + serial_offset, serial);
            put_u32le(page.data() + crc_offset, 0);
            put_u32le(page.data() + crc_offset, ogg_crc(page));
        }
        if (first) c.fail("no Ogg pages");
    } catch (const format_error& e) {
        throw format_error(path + ": " + e.what(), e.offset);
    }
}

}  // namespace vr
