// SPDX-License-Identifier: GPL-3.0-or-later
// Standard MIDI Files built byte by byte, for the tests of what reads them.
#pragma once
#include <cstdint>
#include <vector>

namespace vr_test {

using byte_vector = std::vector<std::uint8_t>;

inline void append_be(byte_vector& v, std::uint32_t x, int n) {
    for (int i = n - 1; i >= 0; --i) v.push_back(static_cast<std::uint8_t>(x >> (8 * i)));
}

inline byte_vector chunk(const char* type, const byte_vector& data, std::uint32_t declared_length) {
    byte_vector v(type, type + 4);
    append_be(v, declared_length, 4);
    v.insert(v.end(), data.begin(), data.end());
    return v;
}

inline byte_vector chunk(const char* type, const byte_vector& data) {
    return chunk(type, data, static_cast<std::uint32_t>(data.size()));
}

// A whole file: header, then one MTrk chunk per track.
inline byte_vector smf(int format, int declared_tracks, std::uint16_t division,
                const std::vector<byte_vector>& tracks) {
    byte_vector header;
    append_be(header, static_cast<std::uint32_t>(format), 2);
    append_be(header, static_cast<std::uint32_t>(declared_tracks), 2);
    append_be(header, division, 2);
    byte_vector v = chunk("MThd", header);
    for (const auto& t : tracks) {
        auto c = chunk("MTrk", t);
        v.insert(v.end(), c.begin(), c.end());
    }
    return v;
}

inline byte_vector smf(int format, std::uint16_t division, const std::vector<byte_vector>& tracks) {
    return smf(format, static_cast<int>(tracks.size()), division, tracks);
}

inline const byte_vector end_of_track{0x00, 0xFF, 0x2F, 0x00};

inline byte_vector with_end(byte_vector events) {
    events.insert(events.end(), end_of_track.begin(), end_of_track.end());
    return events;
}

}  // namespace vr_test
