// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobs/automation.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/error.hpp"
#include "core/text.hpp"

namespace vr {

namespace {

constexpr double max_time_s = 3600;

// The shortest text that reads back as x, so that a message quotes the
// number the user wrote ("0.7", not "0.700000").
std::string number_text(double x) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
    return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

// One lane being read: every message starts with where and the key.
struct lane_reader {
    const std::string& where;
    const std::string& key;

    [[noreturn]] void fail(const std::string& what) const {
        throw record_error(where + ": parameter '" + printable_excerpt(key) + "': " + what);
    }

    double number(const json& v, std::size_t i, const char* name) const {
        if (!v.is_number()) fail("point " + std::to_string(i) + ": " + name + " is not a number");
        double x = v.get<double>();
        if (!std::isfinite(x)) fail("point " + std::to_string(i) + ": " + name + " is not a finite number");
        return x;
    }

    automation_point point(const json& p, std::size_t i) const {
        if (!p.is_array() || p.size() != 2)
            fail("point " + std::to_string(i) + " must be [time_s, value]" +
                 (p.is_array() ? ", not " + std::to_string(p.size()) + " numbers" : ""));
        double t = number(p[0], i, "time");
        double v = number(p[1], i, "value");
        if (!(t >= 0 && t <= max_time_s))
            fail("point " + std::to_string(i) + ": time " + number_text(t) + " s is outside 0 to 3600 s");
        if (!(v >= 0 && v <= 1))
            fail("point " + std::to_string(i) + ": value " + number_text(v) + " is outside 0 to 1");
        return {t, v};
    }
};

}  // namespace

automation read_automation(const json& value, const std::string& where) {
    if (!value.is_object())
        throw record_error("field '" + where +
                           "' must be an object {\"<parameter index or name>\": [[time_s, value], ...]}");
    automation out;
    out.reserve(value.size());
    std::size_t total = 0;
    for (const auto& [key, points] : value.items()) {
        lane_reader r{where, key};
        if (key.empty()) r.fail("the key is empty: give the parameter's index (\"3\") or name");
        if (!points.is_array() || points.empty()) r.fail("must be a non-empty array of points [time_s, value]");
        // Counted before reading, so that an oversized lane is refused at once.
        if (points.size() > max_automation_points - total)
            r.fail("more than " + std::to_string(max_automation_points) +
                   " automation points in all lanes; at most " + std::to_string(max_automation_points));
        total += points.size();
        automation_lane lane{key, {}};
        lane.points.reserve(points.size());
        for (std::size_t i = 0; i < points.size(); ++i) {
            automation_point p = r.point(points[i], i);
            if (i > 0 && p.time_s < lane.points.back().time_s)
                r.fail("point " + std::to_string(i) + " at " + number_text(p.time_s) + " s comes before point " +
                       std::to_string(i - 1) + " at " + number_text(lane.points.back().time_s) +
                       " s: points must be sorted by time");
            lane.points.push_back(p);
        }
        out.push_back(std::move(lane));
    }
    return out;
}

namespace {

json points_json(const std::vector<automation_point>& points) {
    json a = json::array();
    for (const auto& p : points) a.push_back(json::array({p.time_s, p.value}));
    return a;
}

// The wire comes from our own supervisor, so a bad shape is our bug; it is
// still refused with an error rather than read out of bounds.
[[noreturn]] void bad_wire() { throw record_error("internal error: malformed automation on the wire"); }

}  // namespace

json automation_json(const automation& a) {
    json o = json::object();
    for (const auto& lane : a) o[lane.key] = points_json(lane.points);
    return o;
}

json automation_to_wire(const automation& a) {
    json w = json::array();
    for (const auto& lane : a) w.push_back(json::array({lane.key, points_json(lane.points)}));
    return w;
}

automation automation_from_wire(const json& w) {
    if (!w.is_array()) bad_wire();
    automation out;
    out.reserve(w.size());
    for (const auto& l : w) {
        if (!l.is_array() || l.size() != 2 || !l[0].is_string() || !l[1].is_array() || l[1].empty()) bad_wire();
        automation_lane lane{l[0].get<std::string>(), {}};
        lane.points.reserve(l[1].size());
        for (const auto& p : l[1]) {
            if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) bad_wire();
            lane.points.push_back({p[0].get<double>(), p[1].get<double>()});
        }
        out.push_back(std::move(lane));
    }
    return out;
}

lane_cursor::lane_cursor(const automation_lane& lane, int sample_rate) {
    const auto& in = lane.points;
    if (in.empty()) throw std::invalid_argument("lane_cursor: automation lane '" + lane.key + "' has no points");
    // A point whose neighbours both hold its value changes nothing; a missing
    // neighbour counts as equal, so a lane's leading and trailing runs go too.
    for (std::size_t j = 0; j < in.size(); ++j) {
        bool left_same = j == 0 || in[j - 1].value == in[j].value;
        bool right_same = j + 1 == in.size() || in[j + 1].value == in[j].value;
        if (!(left_same && right_same)) points_.push_back(in[j]);
    }
    if (points_.empty()) points_.push_back(in.front());
    at_.reserve(points_.size());
    for (const auto& p : points_) at_.push_back(p.time_s * sample_rate);
}

// Walks k_ forward to the last point at or before f. A frame before the one
// k_ stands on (a caller going back) restarts the walk from the first point:
// still right, only no longer amortised O(1).
void lane_cursor::seek(std::int64_t f) {
    const double x = static_cast<double>(f);
    if (x < at_[k_]) k_ = 0;
    while (k_ + 1 < at_.size() && at_[k_ + 1] <= x) ++k_;
}

double lane_cursor::value_at(std::int64_t f) {
    seek(f);
    const double x = static_cast<double>(f);
    if (x < at_[0]) return points_[0].value;
    if (k_ + 1 == points_.size()) return points_.back().value;
    // k_ is the last point at or before x, so at_[k_ + 1] > x >= at_[k_]:
    // no division by zero, even where points share a time.
    const double v0 = points_[k_].value, v1 = points_[k_ + 1].value;
    return v0 + (v1 - v0) * (x - at_[k_]) / (at_[k_ + 1] - at_[k_]);
}

std::int64_t lane_cursor::next_split(std::int64_t f, int step) {
    constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();
    // A single point (all a constant lane keeps) is never a change.
    if (points_.size() == 1) return never;
    seek(f);
    const double x = static_cast<double>(f);
    if (x < at_[0]) return static_cast<std::int64_t>(std::ceil(at_[0]));
    if (k_ + 1 == points_.size()) return never;
    const auto end = static_cast<std::int64_t>(std::ceil(at_[k_ + 1]));
    if (points_[k_].value == points_[k_ + 1].value) return end;
    // A step below 1 would never move; treat it as 1 frame.
    return std::min(f + std::max(step, 1), end);
}

}  // namespace vr
