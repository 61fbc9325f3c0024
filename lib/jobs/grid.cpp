// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobs/grid.hpp"

#include <charconv>
#include <set>
#include <unordered_set>

#include "core/error.hpp"
#include "core/files.hpp"
#include "jobs/tempo_fields.hpp"

namespace vr {

namespace {

int to_int(const std::string& s, const std::string& flag, const std::string& item) {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size())
        throw usage_error(flag + ": '" + item + "' is not N, A-B or A-B:STEP");
    return v;
}

// The comma-separated items of text, empty ones included ("" gives one).
std::vector<std::string> comma_items(const std::string& text) {
    std::vector<std::string> items;
    std::size_t start = 0;
    for (std::size_t comma; (comma = text.find(',', start)) != std::string::npos; start = comma + 1)
        items.push_back(text.substr(start, comma - start));
    items.push_back(text.substr(start));
    return items;
}

}  // namespace

std::vector<int> parse_number_list(const std::string& text, int min, int max, const std::string& flag) {
    std::vector<int> out;
    std::unordered_set<int> seen;
    if (text.empty()) throw usage_error(flag + ": empty list");
    for (const std::string& item : comma_items(text)) {
        std::size_t dash = item.find('-');
        std::size_t colon = item.find(':');
        int first, last, step = 1;
        if (dash == std::string::npos) {
            if (colon != std::string::npos) throw usage_error(flag + ": '" + item + "': a step needs a range A-B:STEP");
            first = last = to_int(item, flag, item);
        } else {
            first = to_int(item.substr(0, dash), flag, item);
            std::string rest = item.substr(dash + 1);
            std::size_t c = rest.find(':');
            last = to_int(rest.substr(0, c), flag, item);
            if (c != std::string::npos) step = to_int(rest.substr(c + 1), flag, item);
            if (step <= 0) throw usage_error(flag + ": '" + item + "': the step must be positive");
            if (last < first) throw usage_error(flag + ": '" + item + "': the range runs backwards");
        }
        if (first < min || last > max)
            throw usage_error(flag + ": '" + item + "' is outside " + std::to_string(min) + "-" + std::to_string(max));
        for (long long v = first; v <= last; v += step) {
            if (seen.insert(static_cast<int>(v)).second) out.push_back(static_cast<int>(v));
            if (out.size() > max_list_items)
                throw usage_error(flag + ": more than " + std::to_string(max_list_items) + " numbers");
        }
    }
    return out;
}

std::vector<double> parse_bpm_list(const std::string& text, const std::string& flag) {
    std::vector<double> out;
    std::set<double> seen;
    if (text.empty()) throw usage_error(flag + ": empty list");
    for (const std::string& item : comma_items(text)) {
        // A dash after the first character or a colon makes a range; a
        // leading dash is a minus sign, which parse_bpm refuses by name.
        bool range = item.find('-', 1) != std::string::npos || item.find(':') != std::string::npos;
        if (range && item.find('.') != std::string::npos)
            throw usage_error(flag + ": '" + item + "': a range's ends and step are whole numbers; list a decimal tempo on its own");
        std::vector<double> values;
        if (range && item[0] != '-') {
            for (int v : parse_number_list(item, min_bpm, max_bpm, flag)) values.push_back(v);
        } else {
            values.push_back(parse_bpm(item, flag));
        }
        for (double v : values)
            if (seen.insert(v).second) out.push_back(v);
        if (out.size() > max_list_items)
            throw usage_error(flag + ": more than " + std::to_string(max_list_items) + " tempos");
    }
    return out;
}

std::vector<std::string> parse_path_list(const std::string& text, const std::string& flag) {
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    for (std::string& item : comma_items(text)) {
        if (item.empty()) throw usage_error(flag + ": an empty path in '" + text + "'");
        if (seen.insert(item).second) out.push_back(std::move(item));
        if (out.size() > max_list_items) throw usage_error(flag + ": more than " + std::to_string(max_list_items) + " paths");
    }
    return out;
}

std::vector<std::string> read_path_list(const std::string& file) {
    std::vector<std::uint8_t> bytes;
    try {
        bytes = read_file(file, 64u << 20);
    } catch (const std::exception& e) {
        throw usage_error(std::string("--inputs-from: ") + e.what());
    }
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    std::string text(bytes.begin(), bytes.end());
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t nl = text.find('\n', start);
        std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") != std::string::npos && seen.insert(line).second) out.push_back(line);
        if (out.size() > max_list_items)
            throw usage_error("--inputs-from: " + file + " names more than " + std::to_string(max_list_items) + " paths");
        if (nl == std::string::npos) break;
        start = nl + 1;
    }
    if (out.empty()) throw usage_error("--inputs-from: " + file + " names no file");
    return out;
}

namespace {

void cross_from(json& job, const std::vector<grid_axis>& axes, std::size_t k, const std::function<void(const json&)>& emit) {
    if (k == axes.size()) return emit(job);
    for (const auto& v : axes[k].values) {
        job[axes[k].field] = v;
        cross_from(job, axes, k + 1, emit);
    }
}

}  // namespace

void for_each_cross(const json& record, const std::vector<grid_axis>& axes, const std::function<void(const json&)>& emit) {
    json job = record;
    cross_from(job, axes, 0, emit);
}

}  // namespace vr
