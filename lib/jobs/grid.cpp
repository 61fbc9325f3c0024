// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobs/grid.hpp"

#include <charconv>
#include <unordered_set>

#include "core/error.hpp"
#include "core/files.hpp"

namespace vr {

namespace {

int to_int(const std::string& s, const std::string& flag, const std::string& item) {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size())
        throw usage_error(flag + ": '" + item + "' is not N, A-B or A-B:STEP");
    return v;
}

}  // namespace

std::vector<int> parse_number_list(const std::string& text, int min, int max, const std::string& flag) {
    std::vector<int> out;
    std::unordered_set<int> seen;
    std::size_t start = 0;
    if (text.empty()) throw usage_error(flag + ": empty list");
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
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
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

std::vector<std::string> parse_path_list(const std::string& text, const std::string& flag) {
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    std::size_t start = 0;
    for (;;) {
        std::size_t comma = text.find(',', start);
        std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (item.empty()) throw usage_error(flag + ": an empty path in '" + text + "'");
        if (seen.insert(item).second) out.push_back(item);
        if (out.size() > max_list_items) throw usage_error(flag + ": more than " + std::to_string(max_list_items) + " paths");
        if (comma == std::string::npos) return out;
        start = comma + 1;
    }
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
