// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for lib/paths: the sanitizer, folding, truncation, the assigner.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <unistd.h>
#include <utf8proc.h>

#include "core/error.hpp"
#include "core/text.hpp"
#include "paths/assign.hpp"

namespace {

namespace fs = std::filesystem;
using vr::path_assigner;
using vr::path_request;
using vr::sanitize_component;

std::string last(const vr::assigned_path& p) { return p.components.back(); }

path_request flat(std::string stem, std::string tag = "", std::string ext = "wav") {
    return path_request{{}, std::move(stem), std::move(tag), std::move(ext)};
}

// Each input sanitizes to the component paired with it.
void expect_sanitized(std::initializer_list<std::pair<std::string, std::string>> cases) {
    for (const auto& [input, expected] : cases)
        EXPECT_EQ(sanitize_component(input), expected) << "input " << ::testing::PrintToString(input);
}

TEST(PathsSanitize, ReplacesWhatFileSystemsForbid) {
    expect_sanitized({
        {"a/b\\c", "a_b_c"},
        {"x<y>z:\"q\"|w?e*", "x_y_z__q__w_e_"},
        {std::string("a\0b\x01\x1f\x7f", 6), "a_b___"},
        {"a\u0085b\u2028c", "a_b_c"},
        {"Bass 1 ", "Bass 1"},
        {"Pad...", "Pad"},
        {"Kick . . ", "Kick"},
        {"  Lead", "  Lead"},
    });
}

TEST(PathsSanitize, NamesOfDotsAndSpacesBecomeSafe) {
    expect_sanitized({
        {"", "_"},
        {".", "_"},
        {"..", "_"},
        {"... . ", "_"},
        {"   ", "_"},
        {".hidden", "_hidden"},
        {"..x", "_.x"},
        {"/", "_"},
        {"/etc/passwd", "_etc_passwd"},
    });
}

TEST(PathsSanitize, PrefixesReservedWindowsNames) {
    for (const char* n : {"CON", "con", "Prn", "aux", "NUL", "COM1", "com9", "LPT1", "lpt0", "CON.txt",
                          "nul.tar.gz", "AUX ", "CON .wav", "COM\u00B9", "conin$", "CLOCK$"}) {
        EXPECT_TRUE(vr::is_reserved_windows_name(n)) << n;
        std::string s = sanitize_component(n);
        EXPECT_EQ(s[0], '_') << n;
        EXPECT_FALSE(vr::is_reserved_windows_name(s)) << s;
    }
    for (const char* n : {"CONSOLE", "COM", "COM10", "LPT", "_CON", "NULL", "xCON", "COM1x", "CO N"})
        EXPECT_FALSE(vr::is_reserved_windows_name(n)) << n;
    EXPECT_EQ(sanitize_component("con.wav"), "_con.wav");
}

TEST(PathsSanitize, NormalisesToNfcAndRefusesBadUtf8) {
    EXPECT_EQ(sanitize_component("Caf\x65\xCC\x81"), "Caf\xC3\xA9");
    EXPECT_EQ(sanitize_component("\xE2\x84\xAB"), "\xC3\x85");  // ANGSTROM SIGN -> A with ring
    EXPECT_THROW(sanitize_component("bad\xFFname"), vr::record_error);
    EXPECT_THROW(sanitize_component("\xED\xB2\x80"), vr::record_error);  // a surrogate
    EXPECT_THROW(sanitize_component("\xC0\xAF"), vr::record_error);      // overlong '/'
}

TEST(PathsTruncate, CutsBetweenClustersAndStaysValid) {
    std::string s = "ab";
    for (int i = 0; i < 100; ++i) s += "x\u0301";  // x + combining acute: 3-byte clusters
    std::string t = sanitize_component(s);
    EXPECT_EQ(t.size(), 254u);  // 2 + 84 * 3: cutting at 255 would split a cluster
    EXPECT_TRUE(t.ends_with("x\u0301"));
    std::string one = "x";
    for (int i = 0; i < 200; ++i) one += "\u0301";  // one cluster longer than a name
    t = sanitize_component(one);
    EXPECT_LE(t.size(), 255u);
    EXPECT_GE(t.size(), 254u);
    EXPECT_TRUE(vr::valid_utf8(t));
    std::string e(300, 'e');
    EXPECT_EQ(sanitize_component(e, 100), std::string(100, 'e'));
    EXPECT_EQ(vr::truncate_utf8("\U0001F600\U0001F600", 7), "\U0001F600");
    // Truncation that leaves trailing spaces strips them; a reserved result is prefixed.
    std::string con = "CON" + std::string(300, ' ') + "x";
    t = sanitize_component(con);
    EXPECT_EQ(t, "_CON");
}

TEST(PathsFold, CaseAndNormalisationVariantsShareAKey) {
    EXPECT_EQ(vr::fold_key("Bass"), vr::fold_key("BASS"));
    EXPECT_EQ(vr::fold_key("Caf\u00E9"), vr::fold_key("CAFE\u0301"));
    EXPECT_EQ(vr::fold_key("Stra\u00DFe"), vr::fold_key("STRASSE"));
    EXPECT_EQ(vr::fold_key("\u212A"), vr::fold_key("k"));  // KELVIN SIGN
    EXPECT_NE(vr::fold_key("Bass"), vr::fold_key("Bas"));
}

// nfc and fold_key pass ASCII by without utf8proc (a speed-up: the paths
// fuzzer spent a third of its time there); the answer must be utf8proc's.
TEST(PathsFold, AsciiTakesTheShortCutWithUtf8procsAnswer) {
    std::string all;
    for (int c = 0; c < 0x80; ++c) all += static_cast<char>(c);
    auto utf8proc = [](const std::string& s, int options) {
        utf8proc_uint8_t* out = nullptr;
        utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                          static_cast<utf8proc_ssize_t>(s.size()), &out,
                                          static_cast<utf8proc_option_t>(options));
        std::string r = n < 0 ? "error" : std::string(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
        std::free(out);
        return r;
    };
    EXPECT_EQ(vr::nfc(all), all);
    EXPECT_EQ(vr::nfc(all), utf8proc(all, UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    EXPECT_EQ(vr::fold_key(all), utf8proc(all, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD));
    EXPECT_EQ(vr::fold_key("Bass 01_A.WAV"), "bass 01_a.wav");
    EXPECT_EQ(vr::fold_key(std::string("A\0B", 3)), std::string("a\0b", 3));
    // One byte past ASCII and utf8proc answers again.
    EXPECT_EQ(vr::fold_key("A\u00C9"), "a\u00E9");
}

TEST(PathsAssigner, SuffixesDuplicatesAndAvoidsLaterNaturalNames) {
    path_assigner a("/out");
    EXPECT_EQ(a.assign(flat("Init")).absolute, "/out/Init.wav");
    EXPECT_EQ(last(a.assign(flat("Init"))), "Init_2.wav");
    EXPECT_EQ(last(a.assign(flat("Init_2"))), "Init_2_2.wav");
    EXPECT_EQ(last(a.assign(flat("init"))), "init_3.wav");
    EXPECT_EQ(last(a.assign(flat("INIT_3"))), "INIT_3_2.wav");
    EXPECT_EQ(last(a.assign(flat("Init", "_60_100"))), "Init_60_100.wav");
    EXPECT_EQ(last(a.assign(flat("Init_60_100"))), "Init_60_100_2.wav");
    EXPECT_EQ(last(a.assign(flat("Caf\u00E9"))), "Caf\u00E9.wav");
    EXPECT_EQ(last(a.assign(flat("CAFE\u0301"))), "CAF\u00C9_2.wav");
}

TEST(PathsAssigner, TreeKeepsOneSpellingPerFolderAndSeparatesFilesFromFolders) {
    path_assigner a("/out/");
    auto p = a.assign({{"Pads", "Warm"}, "a", "", "flac"});
    EXPECT_EQ(p.absolute, "/out/Pads/Warm/a.flac");
    EXPECT_EQ(a.assign({{"PADS", "warm"}, "b", "", "flac"}).absolute, "/out/Pads/Warm/b.flac");
    EXPECT_EQ(a.assign({{"pads", "WARM"}, "A", "", "flac"}).absolute, "/out/Pads/Warm/A_2.flac");
    // A folder named like a file already there goes beside it with a suffix, and stays there.
    EXPECT_EQ(a.assign({{"Pads", "Warm", "a.flac"}, "x", "", "flac"}).absolute, "/out/Pads/Warm/a.flac_2/x.flac");
    EXPECT_EQ(a.assign({{"Pads", "Warm", "A.FLAC"}, "y", "", "flac"}).absolute, "/out/Pads/Warm/a.flac_2/y.flac");
    // ... and a file named like a folder gets a suffix.
    EXPECT_EQ(a.assign({{"Pads"}, "Warm", "", ""}).absolute, "/out/Pads/Warm_2");
    // Empty, "." and ".." folders never leave the output folder.
    EXPECT_EQ(a.assign({{"", ".", "..", "..", "etc"}, "passwd", "", "wav"}).absolute, "/out/_/_/etc/passwd.wav");
}

TEST(PathsAssigner, ReservedPathsAreAvoidedAndOutsidePathsIgnored) {
    path_assigner a("/out");
    a.reserve("/out/Bass.wav");
    a.reserve("/out/sub/../Kick.wav");
    a.reserve("/elsewhere/Lead.wav");
    a.reserve("/out/../out2/Pad.wav");
    a.reserve("/out/Cafe\u0301/Snare.wav");  // a folder spelled unsafely (NFD) is never reused
    EXPECT_EQ(last(a.assign(flat("bass"))), "bass_2.wav");
    EXPECT_EQ(last(a.assign(flat("KICK"))), "KICK_2.wav");
    EXPECT_EQ(last(a.assign(flat("Lead"))), "Lead.wav");
    EXPECT_EQ(last(a.assign(flat("Pad"))), "Pad.wav");
    EXPECT_EQ(a.assign({{"Caf\u00E9"}, "Snare", "", "wav"}).absolute, "/out/Caf\u00E9_2/Snare.wav");
}

TEST(PathsAssigner, RefusesOverlongPathsWithoutReservingAnything) {
    path_assigner a("/out");
    std::vector<std::string> deep(20, std::string(250, 'd'));
    EXPECT_THROW(a.assign({deep, "x", "", "wav"}), vr::record_error);
    deep.resize(2);
    EXPECT_EQ(a.assign({deep, "x", "", "wav"}).components[0], std::string(250, 'd'));
    EXPECT_THROW(a.assign(flat("x", "_bad/tag")), vr::record_error);
    EXPECT_THROW(a.assign(flat("bad\xFF")), vr::record_error);
    EXPECT_EQ(last(a.assign(flat("x"))), "x.wav");
}

TEST(PathsRequest, FormsStemsFoldersAndTagsFromRecords) {
    using vr::json;
    auto req = vr::request_for_record(json::parse(R"({"preset_name":"Sub 4","note":60,"velocity":100})"),
                                      vr::path_layout::flat, "flac", std::nullopt);
    EXPECT_EQ(req.stem, "Sub 4");
    EXPECT_EQ(req.tag, "_60_100");
    EXPECT_EQ(req.ext, "flac");
    req = vr::request_for_record(json::parse(R"({"preset_name":"","preset_path":"/p/My Bank.fxb","program_index":7})"),
                                 vr::path_layout::flat, "wav", std::nullopt);
    EXPECT_EQ(req.stem, "My Bank");
    EXPECT_EQ(req.tag, "_007");
    req = vr::request_for_record(json::parse(R"({"note":1})"), vr::path_layout::tree, "wav", std::nullopt);
    EXPECT_EQ(req.stem, "untitled");
    EXPECT_EQ(req.tag, "_1");
    req = vr::request_for_record(
        json::parse(R"({"preset_name":"Brass","relative_path":"a/b/Bank.x.fxb","program_index":12,"note":48,"velocity":7})"),
        vr::path_layout::tree, "wav", std::nullopt);
    EXPECT_EQ(req.folders, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(req.stem, "Bank.x");
    EXPECT_EQ(req.tag, "_012_48_7");
    EXPECT_THROW(vr::request_for_record(json::parse(R"({"preset_name":3})"), vr::path_layout::flat, "wav", std::nullopt),
                 vr::record_error);
    EXPECT_THROW(vr::request_for_record(json::parse(R"({"note":128})"), vr::path_layout::flat, "wav", std::nullopt),
                 vr::record_error);
    EXPECT_THROW(vr::request_for_record(json::parse(R"({"program_index":-1})"), vr::path_layout::flat, "wav", std::nullopt),
                 vr::record_error);
}

TEST(PathsRequest, NamesATempoAfterVelocityAndBeforeSeed) {
    using vr::json;
    auto grid = json::parse(R"({"preset_name":"Pad","note":60,"velocity":100,"seed":3,"sample_index":2})");
    EXPECT_EQ(vr::request_for_record(grid, vr::path_layout::flat, "wav", 120).tag, "_60_100_b120_s3_sample000002");
    EXPECT_EQ(vr::request_for_record(grid, vr::path_layout::flat, "wav", 92.5).tag, "_60_100_b92p5_s3_sample000002");
    EXPECT_EQ(vr::request_for_record(grid, vr::path_layout::flat, "wav", std::nullopt).tag, "_60_100_s3_sample000002");
    EXPECT_EQ(vr::bpm_tag(1), "_b1");
    EXPECT_EQ(vr::bpm_tag(999), "_b999");
    EXPECT_EQ(vr::bpm_tag(120.0), "_b120");
    EXPECT_EQ(vr::bpm_tag(133.3), "_b133p3");
    EXPECT_EQ(vr::bpm_tag(92.25), "_b92p25");
    EXPECT_EQ(vr::bpm_tag(1.0 / 3 + 100), "_b100p33333333333333");
    // Distinct tempos, distinct tags: the shortest decimal reads back as the value.
    std::set<std::string> tags;
    for (int tenths = 10; tenths <= 9990; ++tenths) tags.insert(vr::bpm_tag(tenths / 10.0));
    EXPECT_EQ(tags.size(), 9981u);
    EXPECT_EQ(tags.count("_b12p3"), 1u);
    // A tag assign() takes: plain ASCII, no dot.
    path_assigner a("/out");
    EXPECT_EQ(last(a.assign(flat("Pad", vr::bpm_tag(92.5)))), "Pad_b92p5.wav");
}

TEST(PathsCheckTarget, RefusesSymlinksInsideTheFolderAndReportsExistingFiles) {
    fs::path dir = fs::temp_directory_path() / ("vr-paths-test-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "real");
    fs::create_directory_symlink("/", dir / "escape");
    fs::create_symlink("/etc/passwd", dir / "real" / "link.wav");
    { std::FILE* f = std::fopen((dir / "real" / "there.wav").c_str(), "w"); std::fclose(f); }
    fs::create_directories(dir / "real" / "folder.wav");
    std::string d = dir.string();
    EXPECT_FALSE(vr::check_target(d, {{"new", "a.wav"}, ""}));
    EXPECT_FALSE(vr::check_target(d, {{"real", "a.wav"}, ""}));
    EXPECT_TRUE(vr::check_target(d, {{"real", "there.wav"}, ""}));
    EXPECT_THROW(vr::check_target(d, {{"escape", "tmp", "a.wav"}, ""}), vr::record_error);
    EXPECT_THROW(vr::check_target(d, {{"real", "link.wav"}, ""}), vr::record_error);
    EXPECT_THROW(vr::check_target(d, {{"real", "folder.wav"}, ""}), vr::record_error);
    EXPECT_THROW(vr::check_target(d, {{"real", "there.wav", "x.wav"}, ""}), vr::record_error);
    // The output folder itself may be a symlink the user chose.
    EXPECT_FALSE(vr::check_target((dir / "escape").string(), {{"a.wav"}, ""}));
    fs::remove_all(dir);
}

}  // namespace
