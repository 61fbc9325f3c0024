// SPDX-License-Identifier: GPL-3.0-or-later
// The host tempo a job asks for (issue 47): its bpm and time_signature,
// read from options and records and checked in one place, so render-one,
// job-grid, assign-paths and dataset-pack agree on what a tempo is.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/records.hpp"
#include "midi/transport.hpp"

namespace vr {

// min_bpm, max_bpm, default_bpm, valid_bpm and time_signature are the
// transport's (midi/transport.hpp): what the plugin's play head says.

// A tempo written as text ("120", "92.5": digits, at most one '.' with
// digits after it). Throws usage_error naming flag and the text when it is
// not such a number ("abc", "1e2") or is outside min_bpm-max_bpm ("0", "-5").
double parse_bpm(std::string_view text, std::string_view flag);

// The record's "bpm": nullopt when absent or null. Throws record_error
// naming the field and its value when it is not a number or out of range.
std::optional<double> job_bpm(const json& record);

// bpm as a record writes it: a whole tempo as an integer (120, never 120.0),
// any other as the shortest decimal that reads back as it (92.5).
json bpm_value(double bpm);

// "N/D" with N 1 to 64 and D a power of two from 1 to 64, both written
// without a sign, spaces or leading zeros. Throws usage_error naming flag
// and the text for anything else ("4/0", "0/4", "4/3", "4 / 4").
time_signature parse_time_signature(std::string_view text, std::string_view flag);

// The record's "time_signature" (a string, as parse_time_signature reads):
// nullopt when absent or null. Throws record_error naming the field and its
// value when it is not a string or not a time signature.
std::optional<time_signature> job_time_signature(const json& record);

// "6/8": the text parse_time_signature reads back as ts.
std::string to_string(time_signature ts);

}  // namespace vr
