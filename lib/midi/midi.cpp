// SPDX-License-Identifier: GPL-3.0-or-later
// Standard MIDI File reader. Lenient where real files are sloppy (running
// status kept across sysex and meta events, data bytes above 127, undefined
// status bytes, a last track cut off by the end of the file, fewer tracks
// than the header says, bytes after the last track), strict where the file
// cannot be read as a song (no header, format 2, no track, a bad division).
#include "midi/midi.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <span>

#include "core/cursor.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "midi/song_meta.hpp"
#include "midi/tempo.hpp"

namespace vr {

namespace {

// A problem in the file's structure, as opposed to running out of bytes;
// it is never excused by a track that the end of the file cut short.
struct midi_problem : format_error {
    using format_error::format_error;
};

[[noreturn]] void problem(std::size_t at, const std::string& message) {
    throw midi_problem("byte " + std::to_string(at) + ": " + message, at);
}

std::string hex(std::uint8_t b) {
    char text[8];
    std::snprintf(text, sizeof text, "0x%02X", b);
    return text;
}

// Variable-length numbers in a MIDI file have at most 4 bytes (28 bits).
std::uint32_t read_vlq(byte_cursor& c, const char* what) {
    std::size_t at = c.offset();
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
        std::uint8_t b = c.u8(what);
        value = (value << 7) | (b & 0x7Fu);
        if (!(b & 0x80)) return value;
    }
    problem(at, std::string(what) + " is a variable-length number longer than 4 bytes");
}

struct timed_event {
    std::uint64_t tick;
    midi_event event;
};

// Reads one MTrk chunk's events into a shared list (or only counts them,
// when out is null), and its tempo changes into the song's timeline.
class track_parser {
public:
    track_parser(byte_cursor data, bool cut_short, std::vector<timed_event>* out, std::size_t& count,
                 midi_timeline& timeline, song_meta& meta, int track)
        : c_(data), cut_short_(cut_short), out_(out), count_(count), timeline_(timeline), meta_(meta),
          track_(track) {}

    // The track's name: its first track-name meta event, or empty.
    const std::string& name() const { return name_; }

    // Reads the track; returns the tick of its last event (end-of-track included).
    std::uint64_t parse() {
        try {
            while (next()) {
            }
        } catch (const midi_problem&) {
            throw;
        } catch (const format_error&) {
            // Ran out of bytes. When the file itself ends inside this track,
            // the events read so far are the track (a cut-off download); an
            // event that overruns a chunk the file holds whole is an error.
            if (!cut_short_) throw;
        }
        close_sysex();
        return tick_;
    }

private:
    // Reads one event; false at the end of the track.
    bool next() {
        if (c_.at_end()) return false;
        std::uint64_t tick = tick_ + read_vlq(c_, "delta time");
        std::size_t at = c_.offset();
        std::uint8_t b = c_.u8("status byte");
        bool more = true;
        if (b == 0xF7) {
            continue_sysex();
        } else {
            close_sysex();
            if (b < 0xF0)
                channel_message(b, at, tick);
            else if (b == 0xFF)
                more = meta_event(at, tick);
            else if (b == 0xF0)
                start_sysex(tick);
            else
                system_message(b);
        }
        // Only a complete event moves the track's clock.
        tick_ = tick;
        return more;
    }

    void channel_message(std::uint8_t b, std::size_t at, std::uint64_t tick) {
        std::uint8_t bytes[3];
        std::size_t n = 0;
        if (b < 0x80) {
            // Running status: real files keep it across sysex and meta events.
            if (!running_)
                problem(at, "data byte " + hex(b) +
                                " where a status byte was expected, with no running status to continue");
            bytes[n++] = running_;
            bytes[n++] = b;
        } else {
            running_ = b;
            bytes[n++] = b;
        }
        std::uint8_t kind = bytes[0] & 0xF0;
        std::size_t length = (kind == 0xC0 || kind == 0xD0) ? 2 : 3;
        // Some writers put values above 127 (e.g. velocity 255) in data
        // bytes; the nearest valid value is 127.
        while (n < length) bytes[n++] = std::min<std::uint8_t>(c_.u8("data byte"), 0x7F);
        push(tick, bytes[0] & 0x0F, {}, std::span<const std::uint8_t>(bytes, n));
    }

    // Returns false at end-of-track.
    bool meta_event(std::size_t at, std::uint64_t tick) {
        std::uint8_t type = c_.u8("meta event type");
        std::uint32_t length = read_vlq(c_, "meta event length");
        auto data = c_.bytes(length, "meta event data");
        if (type == 0x2F) return false;
        if (type == 0x03 && !named_) {
            name_.assign(data.begin(), data.end());
            named_ = true;
        }
        if (type == 0x51) {
            if (length < 3)
                problem(at, "tempo event with " + std::to_string(length) + " data bytes, expected 3");
            const std::uint32_t us = (std::uint32_t(data[0]) << 16) | (std::uint32_t(data[1]) << 8) | data[2];
            timeline_.add_tempo(tick, us);
            meta_.tempos.emplace_back(tick, us);
        }
        if (type == 0x58) {
            if (length < 2)
                problem(at, "time signature event with " + std::to_string(length) +
                                " data bytes, expected 4 (numerator, denominator's power of two, ...)");
            meta_.meters.push_back({tick, data[0], data[1]});
        }
        return true;
    }

    void start_sysex(std::uint64_t tick) {
        std::uint32_t length = read_vlq(c_, "sysex length");
        auto data = c_.bytes(length, "sysex data");
        bool complete = !data.empty() && data.back() == 0xF7;
        push(tick, 255, 0xF0, data);
        // Not ended by F7: the message goes on in F7 packets.
        if (!complete && out_) pending_sysex_ = out_->size() - 1;
    }

    // An F7 packet: the next part of a divided sysex, or an escape (any
    // bytes, e.g. real-time messages), which is not a channel message or
    // sysex and is left out.
    void continue_sysex() {
        std::uint32_t length = read_vlq(c_, "sysex length");
        auto data = c_.bytes(length, "sysex data");
        if (pending_sysex_ == none) return;
        auto& bytes = (*out_)[pending_sysex_].event.bytes;
        bytes.insert(bytes.end(), data.begin(), data.end());
        if (!data.empty() && data.back() == 0xF7) pending_sysex_ = none;
    }

    // A divided sysex interrupted, or left open at the end of the track, is
    // ended there so that a synth never waits for its F7.
    void close_sysex() {
        if (pending_sysex_ == none) return;
        (*out_)[pending_sysex_].event.bytes.push_back(0xF7);
        pending_sysex_ = none;
    }

    // System common and real-time messages do not belong in a file, but
    // files hold them; they are read past and left out. The undefined ones
    // (F4, F5, F9, FD) are taken to carry no data, as the files that have
    // them show.
    void system_message(std::uint8_t b) {
        std::size_t length = b == 0xF2 ? 2 : (b == 0xF1 || b == 0xF3) ? 1 : 0;
        c_.skip(length, "system message data");
    }

    // Counts an event, and keeps it (lead byte, when there is one, then
    // bytes) when the song's events are wanted: a count costs no allocation.
    void push(std::uint64_t tick, std::uint8_t channel, std::optional<std::uint8_t> lead,
              std::span<const std::uint8_t> bytes) {
        if (count_ >= midi_max_events)
            problem(c_.offset(), "more than " + std::to_string(midi_max_events) +
                                     " events in the song, over the limit");
        ++count_;
        if (!out_) return;
        std::vector<std::uint8_t> message;
        message.reserve(bytes.size() + (lead ? 2 : 0));
        if (lead) message.push_back(*lead);
        message.insert(message.end(), bytes.begin(), bytes.end());
        out_->push_back({tick, {0.0, channel, std::move(message), track_}});
    }

    static constexpr std::size_t none = static_cast<std::size_t>(-1);
    byte_cursor c_;
    bool cut_short_;
    std::vector<timed_event>* out_;
    std::size_t& count_;
    midi_timeline& timeline_;
    song_meta& meta_;
    int track_;
    std::string name_;
    bool named_ = false;
    std::uint64_t tick_ = 0;
    std::uint8_t running_ = 0;
    std::size_t pending_sysex_ = none;
};

bool printable(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char ch) { return ch >= 0x20 && ch <= 0x7E; });
}

// Merges the tracks' event lists (each in time order, laid end to end) into
// one, stably: at equal ticks, earlier tracks first.
void merge_tracks(std::vector<timed_event>& events, std::vector<std::size_t> bounds) {
    auto by_tick = [](const timed_event& a, const timed_event& b) { return a.tick < b.tick; };
    while (bounds.size() > 2) {
        std::vector<std::size_t> next{0};
        for (std::size_t i = 2; i < bounds.size(); i += 2) {
            std::inplace_merge(events.begin() + bounds[i - 2], events.begin() + bounds[i - 1],
                               events.begin() + bounds[i], by_tick);
            next.push_back(bounds[i]);
        }
        if (bounds.size() % 2 == 0) next.push_back(bounds.back());
        bounds = std::move(next);
    }
}

midi_timeline read_division(std::uint16_t division, std::size_t at) {
    if (division & 0x8000) {
        int fps = -static_cast<int>(static_cast<std::int8_t>(division >> 8));
        std::uint32_t ticks_per_frame = division & 0xFF;
        if (fps != 24 && fps != 25 && fps != 29 && fps != 30)
            problem(at, "SMPTE division names " + std::to_string(fps) +
                            " frames per second; only 24, 25, 29 (29.97) and 30 exist");
        if (ticks_per_frame == 0) problem(at, "SMPTE division with 0 ticks per frame");
        return midi_timeline::smpte(fps, ticks_per_frame);
    }
    if (division == 0) problem(at, "division of 0 ticks per quarter note");
    return midi_timeline::metrical(division);
}

midi_song parse_smf(byte_cursor c, midi_keep keep) {
    if (c.at_end()) throw format_error("empty file, not a Standard MIDI File", c.offset());
    if (c.remaining() < 4 || c.chars(4, "header") != "MThd")
        problem(c.offset(), "not a Standard MIDI File (no MThd header)");
    std::uint32_t header_length = c.u32be("header length");
    if (header_length < 6)
        problem(c.offset() - 4, "header length " + std::to_string(header_length) + ", expected 6");
    std::size_t format_at = c.offset();
    std::uint16_t format = c.u16be("format");
    std::uint16_t declared_tracks = c.u16be("track count");
    std::size_t division_at = c.offset();
    std::uint16_t division = c.u16be("division");
    c.skip(header_length - 6, "header");
    if (format == 2)
        problem(format_at, "format 2 (independent sequences) has no single timeline; not supported");
    if (format > 2) problem(format_at, "format " + std::to_string(format) + " does not exist (0, 1 or 2)");
    if (declared_tracks == 0) problem(format_at + 2, "the header declares no tracks");
    midi_timeline timeline = read_division(division, division_at);
    song_meta meta;

    std::size_t chunks_at = c.offset();
    std::vector<timed_event> events;
    std::size_t count = 0;
    std::vector<std::size_t> bounds{0};
    std::uint64_t end_tick = 0;
    int tracks = 0;
    std::vector<std::string> names;
    std::string skipped;  // the first chunk passed over, for the message when no track is found
    // Reads up to the declared number of tracks, skipping chunks of other
    // types; whatever cannot be a chunk ends the file (trailing garbage).
    while (tracks < declared_tracks && c.remaining() >= 8) {
        auto type = c.chars(4, "chunk type");
        std::uint32_t length = c.u32be("chunk length");
        bool cut_short = length > c.remaining();
        if (type == "MTrk") {
            ++tracks;
            byte_cursor data = c.sub(cut_short ? c.remaining() : length, "track");
            try {
                track_parser track(data, cut_short, keep == midi_keep::events ? &events : nullptr, count,
                                   timeline, meta, tracks - 1);
                end_tick = std::max(end_tick, track.parse());
                names.push_back(track.name());
            } catch (const format_error& e) {
                throw format_error("track " + std::to_string(tracks) + ": " + e.what(), e.offset);
            }
            bounds.push_back(events.size());
        } else if (printable(type) && !cut_short) {
            if (skipped.empty())
                skipped = " (passed over a chunk of type '" + std::string(type) + "' at byte " +
                          std::to_string(c.offset() - 8) + ")";
            c.skip(length, "chunk");
        } else {
            break;
        }
    }
    if (tracks == 0) {
        if (header_length != 6)
            skipped += " (the header's length field says " + std::to_string(header_length) +
                       " bytes, not 6)";
        problem(chunks_at, "no track: the header declares " + std::to_string(declared_tracks) +
                                " but no MTrk chunk follows" + skipped);
    }
    merge_tracks(events, std::move(bounds));

    midi_song song;
    song.format = format;
    song.track_count = tracks;
    song.track_names = std::move(names);
    song.duration_s = timeline.seconds_at(end_tick);
    put_meta(song, std::move(meta), timeline, division);
    song.events.reserve(events.size());
    for (auto& e : events) {
        e.event.time_s = timeline.seconds_at(e.tick);
        song.events.push_back(std::move(e.event));
    }
    return song;
}

// A RIFF "RMID" file wraps a Standard MIDI File in its "data" chunk.
byte_cursor unwrap_rmid(byte_cursor c) {
    c.skip(8, "RIFF header");
    if (c.chars(4, "RIFF form type") != "RMID") problem(8, "a RIFF file, but not RIFF MIDI (RMID)");
    while (!c.at_end()) {
        auto id = c.chars(4, "RIFF chunk id");
        std::uint32_t length = c.u32le("RIFF chunk length");
        if (id == "data") return c.sub(length, "RIFF data chunk");
        c.skip(length + (length & 1u), "RIFF chunk");
    }
    problem(c.offset(), "RIFF MIDI file without a data chunk");
}

}  // namespace

midi_song parse_midi(std::span<const std::uint8_t> bytes, std::string_view name, midi_keep keep) {
    try {
        byte_cursor c(bytes);
        if (bytes.size() >= 12 && std::string_view(reinterpret_cast<const char*>(bytes.data()), 4) == "RIFF")
            c = unwrap_rmid(c);
        return parse_smf(c, keep);
    } catch (const format_error& e) {
        throw format_error(std::string(name) + ": " + e.what(), e.offset);
    }
}

midi_song read_midi_file(const std::string& path, midi_keep keep) {
    auto bytes = read_file(path, midi_max_file_bytes);
    return parse_midi(bytes, path, keep);
}

}  // namespace vr
