// SPDX-License-Identifier: GPL-3.0-or-later
#include "midi/tracks.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "core/error.hpp"

namespace vr {

namespace {

constexpr std::string_view name_prefix = "name:";
constexpr std::string_view channel_prefix = "channel:";

bool is_note(const midi_event& e) { return e.bytes.size() >= 3 && (e.bytes[0] & 0xF0) == 0x90 && e.bytes[2] > 0; }

// Which channels each track plays notes on: bit c for channel c.
std::vector<std::uint16_t> note_channels(const midi_song& song) {
    std::vector<std::uint16_t> out(static_cast<std::size_t>(song.track_count), 0);
    for (const auto& e : song.events)
        if (is_note(e) && e.track >= 0 && e.track < song.track_count)
            out[static_cast<std::size_t>(e.track)] |= static_cast<std::uint16_t>(1u << e.channel);
    return out;
}

std::string track_text(const midi_song& song, int t) {
    const std::string& name = song.track_names[static_cast<std::size_t>(t)];
    return "track " + std::to_string(t) + (name.empty() ? "" : " '" + name + "'");
}

std::string all_tracks(const midi_song& song) {
    std::string s;
    for (int t = 0; t < song.track_count; ++t) s += (t ? ", " : "") + track_text(song, t);
    return " (the file has " + s + ")";
}

std::optional<int> whole_number(std::string_view s) {
    int n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || n < 0) return std::nullopt;
    return n;
}

}  // namespace

track_key parse_track_key(std::string_view text) {
    track_key k;
    k.text = std::string(text);
    if (text.starts_with(name_prefix)) {
        k.what = track_key::kind::name;
        k.name = std::string(text.substr(name_prefix.size()));
        if (k.name.empty()) throw record_error("tracks: key '" + k.text + "' names no track name");
        return k;
    }
    if (text.starts_with(channel_prefix)) {
        auto n = whole_number(text.substr(channel_prefix.size()));
        if (!n || *n < 1 || *n > 16)
            throw record_error("tracks: key '" + k.text + "': a MIDI channel is 1 to 16");
        k.what = track_key::kind::channel;
        k.number = *n;
        return k;
    }
    auto n = whole_number(text);
    if (!n)
        throw record_error("tracks: key '" + k.text +
                           "' is not a track index (\"2\"), \"name:NAME\" or \"channel:N\" (1-16)");
    k.number = *n;
    return k;
}

std::vector<bool> tracks_with_notes(const midi_song& song) {
    std::vector<bool> out;
    for (auto bits : note_channels(song)) out.push_back(bits != 0);
    return out;
}

track_selection select_tracks(const midi_song& song, const std::vector<track_key>& keys, bool with_default) {
    const auto notes = note_channels(song);
    track_selection sel;
    std::vector<int> key_of_track(notes.size(), -1), key_of_channel(16, -1);
    auto twice = [&](int t, int first, int second, const std::string& why) {
        throw record_error("tracks: " + track_text(song, t) + " is selected by two keys, '" +
                           keys[static_cast<std::size_t>(first)].text + "' and '" +
                           keys[static_cast<std::size_t>(second)].text + "'" + why);
    };
    // Channel keys first: they say which notes the track keys may not have.
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const track_key& k = keys[i];
        if (k.what != track_key::kind::channel) continue;
        const int c = k.number - 1;
        if (key_of_channel[static_cast<std::size_t>(c)] >= 0)
            throw record_error("tracks: channel " + std::to_string(k.number) + " is selected by two keys, '" +
                               keys[static_cast<std::size_t>(key_of_channel[static_cast<std::size_t>(c)])].text +
                               "' and '" + k.text + "'");
        if (std::none_of(notes.begin(), notes.end(), [&](auto bits) { return bits & (1u << c); }))
            throw record_error("tracks: key '" + k.text + "' names no track: no notes on channel " +
                               std::to_string(k.number) + all_tracks(song));
        key_of_channel[static_cast<std::size_t>(c)] = static_cast<int>(i);
        sel.taken_channels = static_cast<std::uint16_t>(sel.taken_channels | (1u << c));
    }
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const track_key& k = keys[i];
        int t = -1;
        if (k.what == track_key::kind::channel) continue;
        if (k.what == track_key::kind::index) {
            if (k.number >= song.track_count)
                throw record_error("tracks: key '" + k.text + "' names no track" + all_tracks(song));
            t = k.number;
        } else {
            for (int u = 0; u < song.track_count; ++u) {
                if (song.track_names[static_cast<std::size_t>(u)] != k.name) continue;
                if (t >= 0)
                    throw record_error("tracks: key '" + k.text + "' names two tracks, " + std::to_string(t) +
                                       " and " + std::to_string(u) + ": select them by index");
                t = u;
            }
            if (t < 0) throw record_error("tracks: key '" + k.text + "' names no track" + all_tracks(song));
        }
        const auto ti = static_cast<std::size_t>(t);
        if (key_of_track[ti] >= 0) twice(t, key_of_track[ti], static_cast<int>(i), "");
        for (int c = 0; c < 16; ++c)
            if (key_of_channel[static_cast<std::size_t>(c)] >= 0 && (notes[ti] & (1u << c)))
                twice(t, key_of_channel[static_cast<std::size_t>(c)], static_cast<int>(i),
                      " (its notes on channel " + std::to_string(c + 1) + ")");
        if (!notes[ti]) throw record_error("tracks: key '" + k.text + "' selects " + track_text(song, t) + ", which has no notes");
        key_of_track[ti] = static_cast<int>(i);
        sel.parts.push_back({static_cast<int>(i), t, song.track_names[ti], -1});
    }
    // What no key takes: the default's, or unrendered.
    for (int t = 0; t < song.track_count; ++t) {
        const auto ti = static_cast<std::size_t>(t);
        if (key_of_track[ti] >= 0 || !(notes[ti] & ~sel.taken_channels)) continue;
        if (with_default)
            sel.parts.push_back({-1, t, song.track_names[ti], -1});
        else
            sel.unrendered.push_back(t);
    }
    for (int c = 0; c < 16; ++c) {
        const int k = key_of_channel[static_cast<std::size_t>(c)];
        if (k < 0) continue;
        int t = 0;
        while (!(notes[static_cast<std::size_t>(t)] & (1u << c))) ++t;
        sel.parts.push_back({k, t, song.track_names[static_cast<std::size_t>(t)], c});
    }
    std::stable_sort(sel.parts.begin(), sel.parts.end(),
                     [](const track_part& a, const track_part& b) { return a.track < b.track; });
    // Two parts after one track (a format 0 file's channels): the channel says which.
    for (auto& p : sel.parts) {
        if (p.channel < 0) continue;
        auto same = std::count_if(sel.parts.begin(), sel.parts.end(), [&](const track_part& q) { return q.track == p.track; });
        if (same > 1) p.name += " ch" + std::to_string(p.channel + 1);
    }
    return sel;
}

midi_song part_song(const midi_song& song, const track_part& part, std::uint16_t taken_channels) {
    midi_song out;
    out.format = song.format;
    out.track_count = song.track_count;
    out.track_names = song.track_names;
    out.duration_s = song.duration_s;
    // Every track plays on the song's one timeline.
    out.smpte = song.smpte;
    out.tempos = song.tempos;
    out.meters = song.meters;
    for (const auto& e : song.events) {
        const bool on_channel = e.channel < 16;
        const bool mine = part.channel >= 0
                              ? on_channel && e.channel == part.channel
                              : e.track == part.track && !(on_channel && (taken_channels & (1u << e.channel)));
        if (mine) out.events.push_back(e);
    }
    return out;
}

}  // namespace vr
