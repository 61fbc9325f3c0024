// SPDX-License-Identifier: GPL-3.0-or-later
// Finding and reading tests/fixtures from the unit tests, and the message
// an input is refused with.
#pragma once
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/files.hpp"

namespace vr_test {

namespace fs = std::filesystem;
using byte_vector = std::vector<std::uint8_t>;
using row = std::map<std::string, std::string>;

// tests/fixtures, found from this source file (make compiles it by a path
// relative to the repository) or, failing that, above the test binary.
inline fs::path fixtures() {
    fs::path near_source = fs::path(__FILE__).parent_path().parent_path() / "fixtures";
    if (fs::exists(near_source / "README.md")) return near_source;
    std::error_code ec;
    for (fs::path p = fs::read_symlink("/proc/self/exe", ec).parent_path(); p.has_relative_path();
         p = p.parent_path())
        if (fs::exists(p / "tests/fixtures/README.md")) return p / "tests/fixtures";
    return near_source;
}

// s cut at every sep; a trailing sep gives a trailing empty item.
inline std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, sep)) out.push_back(item);
    if (!s.empty() && s.back() == sep) out.push_back("");
    return out;
}

// The rows of fixtures/FOLDER/INDEX.tsv, each a map from column name to value.
inline std::vector<row> index_rows(const std::string& folder) {
    std::ifstream in(fixtures() / folder / "INDEX.tsv");
    std::string line;
    std::getline(in, line);
    auto header = split(line, '\t');
    std::vector<row> rows;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        auto cells = split(line, '\t');
        row r;
        for (std::size_t i = 0; i < header.size(); ++i) r[header[i]] = i < cells.size() ? cells[i] : "";
        rows.push_back(r);
    }
    return rows;
}

// The bytes of fixtures/FOLDER/files/REL.
inline byte_vector load(const std::string& folder, const std::string& rel) {
    return vr::read_file((fixtures() / folder / "files" / rel).string(), 64u << 20);
}

// The message of the Error that f() throws, or "(no error)" when it throws
// none (any other exception goes through).
template <class Error, class F>
std::string error_message(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace vr_test
