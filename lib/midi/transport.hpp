// SPDX-License-Identifier: GPL-3.0-or-later
// The host's transport as a render's plugins see it: tempo, time signature
// and musical position at every frame, playing from the render's first
// frame. Made from the job's bpm and time signature, or from a MIDI file's
// tempo map and time signatures. No JUCE here: lib/host hands it to the
// plugin as its play head.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vr {

struct midi_song;

inline constexpr double min_bpm = 1.0;
inline constexpr double max_bpm = 999.0;
inline constexpr double default_bpm = 120.0;

// True when bpm is a tempo the transport takes: min_bpm to max_bpm,
// inclusive (NaN is not).
inline bool valid_bpm(double bpm) { return bpm >= min_bpm && bpm <= max_bpm; }

struct time_signature {
    int numerator = 4;
    int denominator = 4;
    bool operator==(const time_signature&) const = default;
    // Quarter notes a bar lasts.
    double bar_quarters() const { return numerator * 4.0 / denominator; }
};

// Reading them from flags and records: jobs/tempo_fields.hpp.

// Where the transport is at one frame.
struct transport_position {
    std::int64_t frame = 0;
    double seconds = 0;
    double bpm = default_bpm;
    time_signature sig;
    double ppq = 0;            // quarter notes from the render's start
    double bar_start_ppq = 0;  // where the bar holding ppq started
    std::int64_t bar = 0;      // bars started before that one
};

// One stretch over which tempo and time signature hold.
struct transport_segment {
    std::int64_t frame = 0;  // where it starts
    double bpm = default_bpm;
    time_signature sig;
    double ppq = 0;      // at `frame`
    double bar_ppq = 0;  // a bar starts here; bars of sig.bar_quarters() follow
    std::int64_t bar = 0;  // bars started before bar_ppq
};

class transport_map {
public:
    // 120 bpm and 4/4 from frame 0, at whatever rate the plugin runs: a
    // plan made for no job (a warm-up, the probe's) plays on it, so that
    // what an instance heard before a job never depends on the jobs.
    transport_map() : transport_map(default_bpm, {}, 0) {}
    transport_map(double bpm, time_signature sig, int sample_rate);
    // A MIDI file's tempo map and time signatures (a metrical file's tempo
    // before its first change is the standard's 120 bpm); sig holds until the
    // file's first time signature, and under SMPTE time bpm holds throughout.
    // Throws record_error naming the file for a tempo outside min_bpm..max_bpm
    // (0 us per quarter included) or a time signature that is not one.
    static transport_map of_song(const midi_song& song, double bpm, time_signature sig, int sample_rate,
                             std::string_view name);

    // 0: the plugin's (the default transport).
    int sample_rate() const { return sample_rate_; }
    // This transport at a rate, where it has none.
    transport_map at_rate(int sample_rate) const;
    const std::vector<transport_segment>& segments() const { return segments_; }
    // The tempo and time signature in force at frame 0.
    double first_bpm() const { return segments_.front().bpm; }
    const time_signature& first_sig() const { return segments_.front().sig; }

    transport_position at(std::int64_t frame) const;
    // The first frame after `frame` where tempo or time signature change;
    // none past the last change.
    std::optional<std::int64_t> next_change(std::int64_t frame) const;
    // Seconds from the start to a musical position (quarter notes), through
    // the tempo map.
    double seconds_at_ppq(double ppq) const;

    // For the wire to a Windows worker.
    static transport_map from_segments(std::vector<transport_segment> segments, int sample_rate);

private:
    std::vector<transport_segment> segments_;
    int sample_rate_;
};

}  // namespace vr
