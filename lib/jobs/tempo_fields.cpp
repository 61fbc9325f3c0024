// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobs/tempo_fields.hpp"

#include <charconv>
#include <cmath>

#include "core/error.hpp"
#include "core/text.hpp"

namespace vr {

namespace {

bool all_digits(std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// digits, or digits '.' digits: what a tempo's text may be, sign aside.
bool decimal_syntax(std::string_view s) {
    auto dot = s.find('.');
    if (dot == std::string_view::npos) return all_digits(s);
    return all_digits(s.substr(0, dot)) && all_digits(s.substr(dot + 1));
}

std::string range_text() {
    return std::to_string(static_cast<int>(min_bpm)) + "-" + std::to_string(static_cast<int>(max_bpm));
}

// Why text is not a time signature ("" when it is one; out set then).
std::string time_signature_problem(std::string_view text, time_signature& out) {
    const std::string quoted = "'" + printable_excerpt(text, 40) + "'";
    auto slash = text.find('/');
    if (slash == std::string_view::npos)
        return quoted + " is not a time signature N/D, as 4/4 or 6/8";
    std::string_view n = text.substr(0, slash), d = text.substr(slash + 1);
    if (!all_digits(n) || !all_digits(d))
        return quoted + " is not a time signature N/D, as 4/4 or 6/8";
    if ((n.size() > 1 && n[0] == '0') || (d.size() > 1 && d[0] == '0'))
        return quoted + ": write the numbers without leading zeros";
    // Three digits are past every limit: no overflow below.
    int num = n.size() > 3 ? 1000 : std::stoi(std::string(n));
    int den = d.size() > 3 ? 1000 : std::stoi(std::string(d));
    if (num < 1 || num > 64) return quoted + ": the beats a bar (N) must be 1 to 64";
    if (den < 1 || den > 64 || (den & (den - 1)) != 0)
        return quoted + ": the note value of a beat (D) must be 1, 2, 4, 8, 16, 32 or 64";
    out = {num, den};
    return {};
}

}  // namespace

double parse_bpm(std::string_view text, std::string_view flag) {
    const std::string quoted = std::string(flag) + ": '" + printable_excerpt(text, 40) + "'";
    bool negative = !text.empty() && text[0] == '-';
    std::string_view digits = negative ? text.substr(1) : text;
    if (!decimal_syntax(digits))
        throw usage_error(quoted + " is not a tempo in beats a minute, as 120 or 92.5");
    double v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, std::chars_format::fixed);
    // A run of digits too long for a double is out of range too.
    if (negative || ec == std::errc::result_out_of_range || !valid_bpm(v))
        throw usage_error(quoted + " is outside " + range_text());
    if (ec != std::errc() || end != digits.data() + digits.size())
        throw usage_error(quoted + " is not a tempo in beats a minute, as 120 or 92.5");
    return v;
}

std::optional<double> job_bpm(const json& record) {
    auto bpm = get_number(record, "bpm");
    if (bpm && !valid_bpm(*bpm))
        throw record_error("field 'bpm' is " + record.at("bpm").dump() + ", outside " + std::to_string(static_cast<int>(min_bpm)) +
                           ".." + std::to_string(static_cast<int>(max_bpm)));
    return bpm;
}

json bpm_value(double bpm) {
    if (std::isfinite(bpm) && bpm == std::floor(bpm) && std::fabs(bpm) < 1e15) return static_cast<std::int64_t>(bpm);
    return bpm;
}

time_signature parse_time_signature(std::string_view text, std::string_view flag) {
    time_signature ts;
    std::string why = time_signature_problem(text, ts);
    if (!why.empty()) throw usage_error(std::string(flag) + ": " + why);
    return ts;
}

std::optional<time_signature> job_time_signature(const json& record) {
    auto text = get_string(record, "time_signature");
    if (!text) return std::nullopt;
    time_signature ts;
    std::string why = time_signature_problem(*text, ts);
    if (!why.empty()) throw record_error("field 'time_signature': " + why);
    return ts;
}

std::string to_string(time_signature ts) {
    return std::to_string(ts.numerator) + "/" + std::to_string(ts.denominator);
}

}  // namespace vr
