// SPDX-License-Identifier: GPL-3.0-or-later
// Parameters that move during a render: a job's (or a chain stage's)
// `automation`, read and checked, and the timeline the host follows. No
// JUCE here: lib/host splits its process calls where lane_cursor says.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/records.hpp"

namespace vr {

// The most points one job's automation may hold, all lanes together.
inline constexpr std::size_t max_automation_points = 1000000;
// A ramp's sub-blocks: at most this many frames each (--automation-step).
inline constexpr int default_automation_step = 32;

struct automation_point {
    double time_s = 0;  // from the job's first frame, as its MIDI is
    double value = 0;   // the plugin's normalised value, 0..1
};

// One parameter's points, sorted by time (equal times make a step).
struct automation_lane {
    std::string key;  // parameter index ("3"), name or id, as set_params takes them
    std::vector<automation_point> points;
};

using automation = std::vector<automation_lane>;

// Reads an `automation` value: {"<index or name>": [[time_s, value], ...],
// ...}. Each lane needs at least one point; times finite, 0 to 3600 s and
// never decreasing; values finite and 0 to 1 (a value outside is refused,
// not clamped); at most max_automation_points in all. Throws record_error
// saying "<where>: parameter '<key>': " and what is wrong.
automation read_automation(const json& value, const std::string& where);

// The record's form of it, as read: read_automation(automation_json(a))
// gives a back.
json automation_json(const automation& a);

// The wire between supervisor and worker: [[key, [[t, v], ...]], ...].
json automation_to_wire(const automation& a);
automation automation_from_wire(const json& w);

// One lane on a render's frame timeline, frame 0 being the job's time 0.
// The value is linear in time between points, held before the first and
// after the last; at a time two points share, the later one holds. Points
// inside a run of equal values are dropped, so that a lane that never
// changes never splits a block. Calls must come with frames that never
// decrease (the cursor only walks forward).
class lane_cursor {
public:
    lane_cursor(const automation_lane& lane, int sample_rate);

    // The value at frame f.
    double value_at(std::int64_t f);

    // The first frame after f at which the value may differ from
    // value_at(f): while a ramp runs, f + step or the ramp's end, whichever
    // is first; while the value is held, the frame of the next change;
    // INT64_MAX after the last.
    std::int64_t next_split(std::int64_t f, int step);

    // The points left after dropping those inside runs of equal values.
    const std::vector<automation_point>& points() const { return points_; }

private:
    std::vector<automation_point> points_;
    std::vector<double> at_;  // each point's position in frames (time_s * rate)
    std::size_t k_ = 0;       // the last point at or before the last frame asked
    // Moves k_ to the last point at or before f, walking forward; a frame
    // that goes back restarts from the first point (right, but not O(1)).
    void seek(std::int64_t f);
};

}  // namespace vr
