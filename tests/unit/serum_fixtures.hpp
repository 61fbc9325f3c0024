// SPDX-License-Identifier: GPL-3.0-or-later
// Helpers shared by the Serum 2 unit tests: the fixtures, and comparing a
// CBOR value with the reference JSON of an independent implementation.
#pragma once
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/files.hpp"
#include "core/records.hpp"
#include "fixtures.hpp"
#include "presets/cbor_value.hpp"

namespace serum_tests {

namespace fs = std::filesystem;
using byte_vector = std::vector<std::uint8_t>;

// tests/fixtures/serum2.
inline fs::path fixtures() { return vr_test::fixtures() / "serum2"; }

inline byte_vector read_bytes(const fs::path& p) { return vr::read_file(p.string(), 64u << 20); }

inline vr::json read_json(const fs::path& p) {
    std::ifstream in(p);
    return vr::json::parse(in);
}

// The .SerumPreset files listed in INDEX.tsv (paths without the extension).
inline std::vector<fs::path> preset_stems() {
    std::vector<fs::path> out;
    std::ifstream in(fixtures() / "INDEX.tsv");
    std::string line;
    std::getline(in, line);  // the column names
    while (std::getline(in, line)) {
        std::string file = line.substr(0, line.find('\t'));
        const std::string ext = ".SerumPreset";
        if (file.size() > ext.size() && file.ends_with(ext))
            out.push_back(fixtures() / file.substr(0, file.size() - ext.size()));
    }
    return out;
}

inline fs::path with_suffix(const fs::path& stem, const std::string& suffix) {
    return fs::path(stem.string() + suffix);
}

// Python's repr() of a bytes object, as the reference JSON shows byte strings.
inline std::string python_bytes_repr(const std::string& b) {
    bool quote_double = b.find('\'') != std::string::npos && b.find('"') == std::string::npos;
    char q = quote_double ? '"' : '\'';
    std::string out = "b";
    out += q;
    for (unsigned char c : b) {
        if (c == '\\' || c == static_cast<unsigned char>(q)) {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c < 0x20 || c >= 0x7f) {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        } else {
            out += static_cast<char>(c);
        }
    }
    out += q;
    return out;
}

// "" when v equals the reference as a map (order-insensitive), numbers by
// value (the reference widened floats to float64), byte strings as Python
// reprs; else the path of the first difference.
inline std::string diff_against_reference(const vr::cbor_value& v, const vr::json& ref,
                                          const std::string& path = "") {
    using k = vr::cbor_value::kind;
    auto here = [&](const std::string& what) { return (path.empty() ? "/" : path) + ": " + what; };
    switch (v.type) {
    case k::map: {
        if (!ref.is_object()) return here("map vs " + std::string(ref.type_name()));
        if (ref.size() != v.entries.size())
            return here(std::to_string(v.entries.size()) + " keys vs " + std::to_string(ref.size()));
        for (const auto& [key, value] : v.entries) {
            if (!ref.contains(key)) return here("key " + key + " missing from the reference");
            if (auto d = diff_against_reference(value, ref[key], path + "/" + key); !d.empty()) return d;
        }
        return "";
    }
    case k::array: {
        if (!ref.is_array() || ref.size() != v.items.size()) return here("array length or type");
        for (std::size_t i = 0; i < v.items.size(); ++i)
            if (auto d = diff_against_reference(v.items[i], ref[i], path + "/" + std::to_string(i));
                !d.empty())
                return d;
        return "";
    }
    case k::text: return ref == v.text ? "" : here("text differs");
    case k::bytes: return ref == python_bytes_repr(v.text) ? "" : here("bytes differ");
    case k::boolean: return ref == (v.number != 0) ? "" : here("boolean differs");
    case k::null:
    case k::undefined: return ref.is_null() ? "" : here("null differs");
    case k::unsigned_int:
        return ref.is_number() && ref.get<double>() == static_cast<double>(v.number) ? "" : here("uint differs");
    case k::negative_int:
        return ref.is_number() && ref.get<double>() == -1.0 - static_cast<double>(v.number) ? ""
                                                                                          : here("negint differs");
    case k::floating:
        return ref.is_number() && ref.get<double>() == v.float_value() ? "" : here("float differs");
    case k::tag: return diff_against_reference(v.items.at(0), ref, path);
    }
    return here("unknown kind");
}

// The widths of the floats in the tree, keyed by path.
inline void float_widths(const vr::cbor_value& v, const std::string& path,
                         std::map<std::string, int>& out) {
    if (v.type == vr::cbor_value::kind::floating) out[path] = v.width;
    for (std::size_t i = 0; i < v.items.size(); ++i)
        float_widths(v.items[i], path + "/" + std::to_string(i), out);
    for (const auto& [key, value] : v.entries) float_widths(value, path + "/" + key, out);
}

}  // namespace serum_tests
