// SPDX-License-Identifier: GPL-3.0-or-later
#include "midi/play_plan.hpp"

#include <cmath>

namespace vr {

namespace {

// Program changes and bank selects (CC 0 and CC 32) would replace the
// preset being rendered (DESIGN.md rule 11).
bool changes_program(const std::vector<std::uint8_t>& m) {
    if (m.empty()) return false;
    std::uint8_t kind = m[0] & 0xF0;
    if (kind == 0xC0) return true;
    return kind == 0xB0 && m.size() >= 2 && (m[1] == 0 || m[1] == 32);
}

}  // namespace

std::int64_t seconds_to_frames(double seconds, int sample_rate) {
    return static_cast<std::int64_t>(std::llround(seconds * sample_rate));
}

play_plan note_plan(int note, int velocity, double duration_s, double tail_s, int sample_rate) {
    play_plan plan;
    std::int64_t off = seconds_to_frames(duration_s, sample_rate);
    plan.frames = off + seconds_to_frames(tail_s, sample_rate);
    auto n = static_cast<std::uint8_t>(note);
    plan.messages.push_back({0, {0x90, n, static_cast<std::uint8_t>(velocity)}});
    if (off < plan.frames) plan.messages.push_back({off, {0x80, n, 0}});
    return plan;
}

play_plan note_plan_until_silence(int note, int velocity, double duration_s, const silence_tail& tail,
                                  int sample_rate) {
    play_plan plan = note_plan(note, velocity, duration_s, 0.0, sample_rate);
    plan.messages.push_back({plan.frames, {0x80, static_cast<std::uint8_t>(note), 0}});
    plan.until_silence = tail;
    return plan;
}

namespace {

// A song's events before frame `frames` (and at it, when inclusive).
play_plan song_events(const midi_song& song, std::int64_t frames, bool inclusive, int sample_rate,
                      bool keep_program_changes) {
    play_plan plan;
    plan.frames = frames;
    for (const auto& e : song.events) {
        if (!keep_program_changes && changes_program(e.bytes)) continue;
        std::int64_t at = seconds_to_frames(e.time_s, sample_rate);
        if (at > frames || (at == frames && !inclusive)) break;  // events are merged by time
        plan.messages.push_back({at, e.bytes});
    }
    return plan;
}

}  // namespace

play_plan midi_plan(const midi_song& song, double length_s, double tail_s, int sample_rate,
                    bool keep_program_changes) {
    std::int64_t frames = seconds_to_frames(length_s, sample_rate) + seconds_to_frames(tail_s, sample_rate);
    return song_events(song, frames, false, sample_rate, keep_program_changes);
}

play_plan midi_plan_until_silence(const midi_song& song, double length_s, const silence_tail& tail,
                                  int sample_rate, bool keep_program_changes) {
    // The note-offs that end a song sit on its last frame: they must play.
    play_plan plan = song_events(song, seconds_to_frames(length_s, sample_rate), true, sample_rate,
                                 keep_program_changes);
    plan.until_silence = tail;
    return plan;
}

}  // namespace vr
