// SPDX-License-Identifier: GPL-3.0-or-later
#include "midi/transport.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.hpp"
#include "core/text.hpp"
#include "midi/midi.hpp"
#include "midi/play_plan.hpp"

namespace vr {

namespace {

bool valid(const time_signature& sig) {
    const int d = sig.denominator;
    return sig.numerator >= 1 && sig.numerator <= 64 && d >= 1 && d <= 64 && (d & (d - 1)) == 0;
}

void check_bpm(double bpm, const std::string& what) {
    if (!valid_bpm(bpm))
        throw record_error(what + ": " + message_number(bpm) + " bpm is outside 1 to 999 bpm");
}

// A change of tempo, time signature or both, at a musical position.
struct change {
    double seconds;
    double ppq;
    std::optional<double> bpm;
    std::optional<time_signature> sig;
};

}  // namespace

transport_map::transport_map(double bpm, time_signature sig, int sample_rate) : sample_rate_(sample_rate) {
    segments_.push_back({0, bpm, sig, 0, 0, 0});
}

transport_map transport_map::at_rate(int sample_rate) const {
    transport_map t = *this;
    if (t.sample_rate_ == 0) t.sample_rate_ = sample_rate;
    return t;
}

transport_map transport_map::from_segments(std::vector<transport_segment> segments, int sample_rate) {
    transport_map t;
    t.sample_rate_ = sample_rate;
    if (!segments.empty()) t.segments_ = std::move(segments);
    return t;
}

transport_map transport_map::of_song(const midi_song& song, double bpm, time_signature sig, int sample_rate,
                             std::string_view name) {
    const std::string file(name);
    std::vector<change> changes;
    if (!song.smpte) {
        bpm = default_bpm;  // the standard's tempo until the file sets one
        for (const auto& t : song.tempos) {
            const std::string where = file + ": the tempo at " + message_number(t.time_s) + " s";
            if (t.us_per_quarter == 0) throw record_error(where + " is 0 us per quarter note");
            const double b = 60e6 / t.us_per_quarter;
            check_bpm(b, where + " (" + std::to_string(t.us_per_quarter) + " us per quarter note)");
            changes.push_back({t.time_s, t.quarter, b, std::nullopt});
        }
    }
    for (const auto& m : song.meters) {
        const time_signature s{m.numerator, m.denominator_power <= 6 ? 1 << m.denominator_power : 0};
        if (!valid(s))
            throw record_error(file + ": the time signature at " + message_number(m.time_s) + " s, " +
                               std::to_string(m.numerator) + "/2^" + std::to_string(m.denominator_power) +
                               ", is not one (numerator 1 to 64, denominator 1 to 64)");
        // Under SMPTE time the tempo never changes: quarters follow seconds.
        const double ppq = song.smpte ? m.time_s * bpm / 60.0 : m.quarter;
        changes.push_back({m.time_s, ppq, std::nullopt, s});
    }
    std::stable_sort(changes.begin(), changes.end(), [](const change& a, const change& b) { return a.ppq < b.ppq; });

    transport_map t(bpm, sig, sample_rate);
    for (const auto& c : changes) {
        transport_segment& last = t.segments_.back();
        transport_segment next = last;
        next.frame = seconds_to_frames(c.seconds, sample_rate);
        next.ppq = c.ppq;
        if (c.bpm) next.bpm = *c.bpm;
        if (c.sig && !(*c.sig == last.sig)) {
            // A new time signature starts a bar; a bar it cuts short counts.
            const double bars = (c.ppq - last.bar_ppq) / last.sig.bar_quarters();
            next.bar = last.bar + static_cast<std::int64_t>(std::ceil(bars - 1e-9));
            next.bar_ppq = c.ppq;
            next.sig = *c.sig;
        }
        if (next.frame <= last.frame)
            last = next;
        else
            t.segments_.push_back(next);
    }
    return t;
}

transport_position transport_map::at(std::int64_t frame) const {
    auto it = std::upper_bound(segments_.begin(), segments_.end(), frame,
                               [](std::int64_t f, const transport_segment& s) { return f < s.frame; });
    const transport_segment& s = it == segments_.begin() ? segments_.front() : *(it - 1);
    transport_position p;
    p.frame = frame;
    p.seconds = static_cast<double>(frame) / sample_rate_;
    p.bpm = s.bpm;
    p.sig = s.sig;
    p.ppq = s.ppq + static_cast<double>(frame - s.frame) * s.bpm / (60.0 * sample_rate_);
    const double bar_quarters = s.sig.bar_quarters();
    const double bars = std::max(0.0, std::floor((p.ppq - s.bar_ppq) / bar_quarters));
    p.bar_start_ppq = s.bar_ppq + bars * bar_quarters;
    p.bar = s.bar + static_cast<std::int64_t>(bars);
    return p;
}

std::optional<std::int64_t> transport_map::next_change(std::int64_t frame) const {
    auto it = std::upper_bound(segments_.begin(), segments_.end(), frame,
                               [](std::int64_t f, const transport_segment& s) { return f < s.frame; });
    if (it == segments_.end()) return std::nullopt;
    return it->frame;
}

double transport_map::seconds_at_ppq(double ppq) const {
    auto it = std::upper_bound(segments_.begin(), segments_.end(), ppq,
                               [](double q, const transport_segment& s) { return q < s.ppq; });
    const transport_segment& s = it == segments_.begin() ? segments_.front() : *(it - 1);
    return static_cast<double>(s.frame) / sample_rate_ + (ppq - s.ppq) * 60.0 / s.bpm;
}

}  // namespace vr
