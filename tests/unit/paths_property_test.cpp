// SPDX-License-Identifier: GPL-3.0-or-later
// Property test of the path assigner: thousands of hostile names through one
// assigner; every result must lie inside the output folder, be valid NFC
// UTF-8 with components of at most 255 bytes, and be unique under case
// folding and NFC. The later fuzzing target checks the same properties.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <cstdlib>
#include <set>
#include <utf8proc.h>

#include "core/error.hpp"
#include "core/text.hpp"
#include "paths/assign.hpp"

namespace {

// Pieces chosen to provoke every rule: separators, dots, controls, reserved
// names, case and normalisation variants, combining marks, long runs.
const std::vector<std::string> pieces = {
    "..", ".", "/", "\\", " ", "...", "a", "A", "Bass", "BASS", "bass", "\xC3\xA9", "e\xCC\x81", "\xC3\x89",
    "E\xCC\x81", "\xCC\x81", "\xCC\xB8", "<", ">", ":", "\"", "|", "?", "*", std::string(1, '\0'), "\x01",
    "\x1F", "\x7F", "\xC2\x85", "\xE2\x80\xA8", "CON", "nul", "Com1", "lpt9", "COM\xC2\xB9", "conin$",
    "\xC3\x9F", "SS", "ss", "\xE1\xBA\x9E", "\xE2\x84\xAA", "k", "K", "\xEF\xAC\x83", "ffi",
    "\xE2\x84\xA6", "\xCE\xA9", "\xCF\x89", "\xF0\x9F\x98\x80", "\xC7\x85", "\xC7\x84", "\xC7\x86",
    "\xE1\x84\x80", "\xE1\x85\xA1", "\xEA\xB0\x80", ".wav", "_2", "_60_100", "Init", "init_2", "-",
    "\xE2\x80\x8B", "\xEF\xBB\xBF", "\xE2\x80\xAE", "\xE2\x80\x8D",
};

std::string random_char(std::mt19937& rng) {
    std::uniform_int_distribution<int> kind(0, 3);
    utf8proc_int32_t cp;
    switch (kind(rng)) {
    case 0: cp = std::uniform_int_distribution<int>(0, 0x7F)(rng); break;
    case 1: cp = std::uniform_int_distribution<int>(0x80, 0x7FF)(rng); break;
    case 2: cp = std::uniform_int_distribution<int>(0x800, 0xFFFF)(rng); break;
    default: cp = std::uniform_int_distribution<int>(0x10000, 0x10FFFF)(rng); break;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0x301;  // surrogates are not characters
    utf8proc_uint8_t buf[4];
    auto n = utf8proc_encode_char(cp, buf);
    return std::string(reinterpret_cast<char*>(buf), static_cast<std::size_t>(n));
}

std::string hostile_name(std::mt19937& rng, const std::vector<std::string>& earlier) {
    std::uniform_int_distribution<int> pick(0, 99);
    int mode = pick(rng);
    if (mode < 10 && !earlier.empty()) {
        // A case variant of an earlier name, to force collisions.
        std::string s = earlier[std::uniform_int_distribution<std::size_t>(0, earlier.size() - 1)(rng)];
        for (char& c : s)
            if (pick(rng) < 50 && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
        return s;
    }
    std::string s;
    int count = std::uniform_int_distribution<int>(0, 8)(rng);
    for (int i = 0; i < count; ++i) {
        int what = pick(rng);
        if (what < 60) s += pieces[std::uniform_int_distribution<std::size_t>(0, pieces.size() - 1)(rng)];
        else if (what < 90) s += random_char(rng);
        else {
            // A long run, so that truncation has to cut.
            std::string unit = pick(rng) < 50 ? random_char(rng)
                                              : pieces[std::uniform_int_distribution<std::size_t>(0, pieces.size() - 1)(rng)];
            int reps = std::uniform_int_distribution<int>(20, 300)(rng);
            for (int r = 0; r < reps; ++r) s += unit;
        }
    }
    return s;
}

// s with ASCII letters flipped at random and precomposed and decomposed e-acute swapped.
std::string variant(const std::string& s, std::mt19937& rng) {
    std::string out;
    std::bernoulli_distribution flip(0.5);
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (s.compare(i, 2, "\xC3\xA9") == 0 && flip(rng)) {
            out += "e\xCC\x81";
            ++i;
        } else if (s.compare(i, 3, "e\xCC\x81") == 0 && flip(rng)) {
            out += "\xC3\xA9";
            i += 2;
        } else if (c >= 'a' && c <= 'z' && flip(rng)) {
            out += static_cast<char>(c - 32);
        } else if (c >= 'A' && c <= 'Z' && flip(rng)) {
            out += static_cast<char>(c + 32);
        } else {
            out += c;
        }
    }
    return out;
}

std::string map(const std::string& s, int options) {
    utf8proc_uint8_t* out = nullptr;
    auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()),
                          &out, static_cast<utf8proc_option_t>(options));
    EXPECT_GE(n, 0);
    std::string r(reinterpret_cast<char*>(out), n < 0 ? 0 : static_cast<std::size_t>(n));
    std::free(out);
    return r;
}

// Keys computed here, step by step, rather than trusting the library's
// fold_key: NFC of the case fold of the decomposition, and NFC with every
// character upper-cased one by one (as NTFS compares names).
std::string caseless_key(const std::string& s) {
    std::string d = map(s, UTF8PROC_STABLE | UTF8PROC_DECOMPOSE);
    return map(map(d, UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD), UTF8PROC_STABLE | UTF8PROC_COMPOSE);
}

std::string upper_key(const std::string& s) {
    std::string c = map(s, UTF8PROC_STABLE | UTF8PROC_COMPOSE), out;
    utf8proc_int32_t cp;
    for (std::size_t i = 0; i < c.size();) {
        auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(c.data()) + i,
                                  static_cast<utf8proc_ssize_t>(c.size() - i), &cp);
        utf8proc_uint8_t buf[4];
        out.append(reinterpret_cast<char*>(buf), static_cast<std::size_t>(utf8proc_encode_char(utf8proc_toupper(cp), buf)));
        i += static_cast<std::size_t>(n);
    }
    return out;
}

bool forbidden_byte(unsigned char c) {
    return c < 0x20 || c == 0x7F || c == '/' || c == '\\' || c == '<' || c == '>' || c == ':' || c == '"' ||
           c == '|' || c == '?' || c == '*';
}

TEST(PathProperties, HostileNamesStayInsideValidAndUnique) {
    const std::string out = "/tmp/vr out";
    std::mt19937 rng(20261121);
    std::vector<std::string> names;
    std::vector<vr::path_request> requests;
    for (int i = 0; i < 6000; ++i) {
        vr::path_request r;
        if (i % 500 == 499) {
            r.folders.assign(20, std::string(250, 'd'));  // deeper than PATH_MAX allows
        } else if (i % 5 == 4) {
            // An earlier request again, in another case or normalisation: it must collide.
            const auto& e = requests[std::uniform_int_distribution<std::size_t>(0, requests.size() - 1)(rng)];
            for (const auto& f : e.folders) r.folders.push_back(variant(f, rng));
            r.stem = variant(e.stem, rng);
            r.tag = e.tag;
            r.ext = e.ext;
            requests.push_back(std::move(r));
            continue;
        }
        int folders = std::uniform_int_distribution<int>(0, 2)(rng);
        for (int f = 0; f < folders; ++f) r.folders.push_back(hostile_name(rng, names));
        r.stem = hostile_name(rng, names);
        names.push_back(r.stem);
        if (i % 3 == 0) r.tag = "_" + std::to_string(i % 128) + "_" + std::to_string(1 + i % 127);
        r.ext = i % 7 == 0 ? "" : "flac";
        requests.push_back(std::move(r));
    }

    vr::path_assigner assigner(out);
    std::vector<std::string> results;
    std::map<std::string, std::string> file_keys;    // key of the whole relative path -> path
    std::map<std::string, std::string> folder_keys;  // key of a folder's relative path -> its spelling
    std::set<std::string> caseless_paths, upper_paths;
    int refused = 0, long_components = 0, folded_apart = 0;
    for (const auto& r : requests) {
        vr::assigned_path p;
        try {
            p = assigner.assign(r);
        } catch (const vr::record_error& e) {
            // The only refusal hostile valid UTF-8 may earn is an overlong whole path.
            EXPECT_NE(std::string(e.what()).find("over the limit"), std::string::npos) << e.what();
            ++refused;
            results.emplace_back();
            continue;
        }
        results.push_back(p.absolute);
        ASSERT_FALSE(p.components.empty());
        EXPECT_TRUE(p.absolute.starts_with(out + "/")) << p.absolute;
        EXPECT_LE(p.absolute.size(), vr::max_output_path_bytes);
        EXPECT_TRUE(vr::valid_utf8(p.absolute)) << vr::printable_excerpt(p.absolute);
        std::filesystem::path fp(p.absolute);
        EXPECT_EQ(fp.lexically_normal(), fp) << p.absolute;
        EXPECT_FALSE(fp.lexically_relative(out).string().starts_with(".."));

        std::string rel, key;
        for (std::size_t i = 0; i < p.components.size(); ++i) {
            const std::string& c = p.components[i];
            ASSERT_FALSE(c.empty());
            EXPECT_LE(c.size(), vr::max_component_bytes) << c;
            EXPECT_NE(c, ".");
            EXPECT_NE(c, "..");
            EXPECT_NE(c[0], '.') << c;
            EXPECT_NE(c.back(), '.') << c;
            EXPECT_NE(c.back(), ' ') << c;
            for (unsigned char b : c) EXPECT_FALSE(forbidden_byte(b)) << vr::printable_excerpt(c);
            EXPECT_FALSE(vr::is_reserved_windows_name(c)) << c;
            EXPECT_EQ(vr::nfc(c), c) << vr::printable_excerpt(c);
            std::string k = vr::fold_key(c);
            if (c.size() >= 240) ++long_components;
            if (k != c) ++folded_apart;
            EXPECT_EQ(vr::fold_key(k), k) << "folding is not idempotent on " << vr::printable_excerpt(c);
            rel += "/" + c;
            key += "/" + k;
            if (i + 1 < p.components.size()) {
                // One spelling per folder, and no folder shares a key with a file.
                auto [it, fresh] = folder_keys.emplace(key, rel);
                EXPECT_EQ(it->second, rel) << "two spellings of one folder";
                EXPECT_EQ(file_keys.count(key), 0u) << rel;
            }
        }
        EXPECT_EQ(folder_keys.count(key), 0u) << rel;
        auto [it, fresh] = file_keys.emplace(key, rel);
        EXPECT_TRUE(fresh) << rel << " collides with " << it->second;
        EXPECT_TRUE(caseless_paths.insert(caseless_key(rel)).second) << rel << " collides caselessly";
        EXPECT_TRUE(upper_paths.insert(upper_key(rel)).second) << rel << " collides in upper case";
    }
    // The generator reached every rule: truncation, case folding, overlong paths, and
    // names that ask for one already taken (the same name again, or a case variant).
    EXPECT_GT(file_keys.size(), 5900u);
    EXPECT_GT(long_components, 500);
    EXPECT_GT(folded_apart, 1000);
    EXPECT_GT(refused, 0);
    std::size_t suffixed = 0;
    for (const auto& r : results)
        if (r.ends_with("_2.flac") || r.ends_with("_3.flac") || r.ends_with("_2") || r.ends_with("_3")) ++suffixed;
    EXPECT_GT(suffixed, 300u);
    std::cout << "[          ] " << file_keys.size() << " paths, " << refused << " refused, " << long_components
              << " long components, " << suffixed << " suffixed\n";

    // Deterministic: the same requests in the same order give the same paths.
    vr::path_assigner again(out);
    for (std::size_t i = 0; i < requests.size(); ++i) {
        std::string got;
        try {
            got = again.assign(requests[i]).absolute;
        } catch (const vr::record_error&) {
        }
        ASSERT_EQ(got, results[i]) << "request " << i;
    }
}

TEST(PathProperties, ManyDuplicatesStayCheap) {
    // The suffix search resumes where it stopped, so 20000 copies of one name
    // take linear time, and every name is still unique.
    vr::path_assigner a("/o");
    std::set<std::string> seen;
    for (int i = 0; i < 20000; ++i) {
        auto p = a.assign({{}, i % 2 ? "init" : "INIT", "", "wav"});
        EXPECT_TRUE(seen.insert(vr::fold_key(p.components.back())).second);
    }
    EXPECT_EQ(a.assign({{}, "Init_20001", "", "wav"}).components.back(), "Init_20001.wav");
}

}  // namespace
