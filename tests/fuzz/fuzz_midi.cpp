// SPDX-License-Identifier: GPL-3.0-or-later
#include <cmath>
#include <span>
#include <string>

#include "core/error.hpp"
#include "midi/midi.hpp"
#include "targets.hpp"

void vr_fuzz_midi(const std::uint8_t* data, std::size_t size) {
    vr::midi_song song;
    std::span<const std::uint8_t> bytes(data, size);
    // midi-duration's parse, which keeps no events, agrees with the full one:
    // the same length, or the same refusal.
    std::string brief_error;
    double brief_s = -1;
    try {
        auto brief = vr::parse_midi(bytes, "fuzz.mid", vr::midi_keep::duration);
        vr_fuzz_require(brief.events.empty());
        brief_s = brief.duration_s;
    } catch (const vr::record_error& e) {
        brief_error = e.what();
    }
    try {
        song = vr::parse_midi(bytes, "fuzz.mid");
    } catch (const vr::record_error& e) {
        vr_fuzz_require(brief_error == e.what());
        return;
    }
    vr_fuzz_require(brief_error.empty() && brief_s == song.duration_s);
    vr_fuzz_require(song.format == 0 || song.format == 1);
    vr_fuzz_require(song.track_count >= 0);
    vr_fuzz_require(std::isfinite(song.duration_s) && song.duration_s >= 0);
    vr_fuzz_require(song.events.size() <= vr::midi_max_events);
    double last = 0;
    for (const vr::midi_event& e : song.events) {
        vr_fuzz_require(std::isfinite(e.time_s) && e.time_s >= last);
        last = e.time_s;
        vr_fuzz_require(!e.bytes.empty());
        if (e.channel == 255) {
            vr_fuzz_require(e.bytes.front() == 0xF0 && e.bytes.back() == 0xF7);
        } else {
            vr_fuzz_require(e.channel < 16 && e.bytes[0] >= 0x80 && e.bytes[0] < 0xF0 &&
                    (e.bytes[0] & 0x0F) == e.channel);
            for (std::size_t i = 1; i < e.bytes.size(); ++i) vr_fuzz_require(e.bytes[i] < 0x80);
        }
    }
}
