// SPDX-License-Identifier: GPL-3.0-or-later
// Replays through the fuzz targets' bodies (tests/fuzz/, built here with the
// ordinary compiler and without libFuzzer) every input a fuzzer ever found a
// problem with, kept in tests/fuzz/regressions/<target>/, and the fixtures
// the fuzzers start from, so that the targets' properties hold on real files.
// A violated property traps; the handler below names the input first.
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include "../fuzz/fuzz_dx7.cpp"
#include "../fuzz/fuzz_fxp.cpp"
#include "../fuzz/fuzz_juce_xml.cpp"
#include "../fuzz/fuzz_lv2.cpp"
#include "../fuzz/fuzz_midi.cpp"
#include "../fuzz/fuzz_paths.cpp"
#include "../fuzz/fuzz_records.cpp"
#include "../fuzz/fuzz_serum.cpp"
#include "../fuzz/fuzz_vital.cpp"
#include "../fuzz/fuzz_vstpreset.cpp"
#include "core/files.hpp"
#include "presets_fixtures.hpp"

namespace {

namespace fs = std::filesystem;
using target_fn = void (*)(const std::uint8_t*, std::size_t);

std::string current_input;

extern "C" void name_the_input(int sig) {
    const char* what = "fuzz regression: a property failed on ";
    (void)!::write(2, what, std::strlen(what));
    (void)!::write(2, current_input.data(), current_input.size());
    (void)!::write(2, "\n", 1);
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

void replay(target_fn fn, const std::string& name, const std::vector<std::uint8_t>& bytes) {
    current_input = name;
    std::signal(SIGILL, name_the_input);
    std::signal(SIGTRAP, name_the_input);
    std::signal(SIGABRT, name_the_input);
    // The targets let through only the parsers' documented errors; anything
    // else escaping is a finding too (libFuzzer sees it as a crash).
    try {
        fn(bytes.data(), bytes.size());
    } catch (const std::exception& e) {
        ADD_FAILURE() << name << ": unexpected exception: " << e.what();
    }
    std::signal(SIGILL, SIG_DFL);
    std::signal(SIGTRAP, SIG_DFL);
    std::signal(SIGABRT, SIG_DFL);
}

// Every regular file below dir, in a stable order.
std::vector<fs::path> files_below(const fs::path& dir) {
    std::vector<fs::path> out;
    if (!fs::is_directory(dir)) return out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file()) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::size_t replay_dir(target_fn fn, const fs::path& dir) {
    std::size_t n = 0;
    for (const fs::path& p : files_below(dir)) {
        replay(fn, p.string(), vr::read_file(p.string(), 64u << 20));
        ++n;
    }
    return n;
}

fs::path regressions(const std::string& target) {
    return preset_tests::fixtures().parent_path() / "fuzz" / "regressions" / target;
}

}  // namespace

TEST(FuzzRegression, EveryKeptInputPasses) {
    const std::pair<const char*, target_fn> targets[] = {
        {"fxp", vr_fuzz_fxp},       {"vstpreset", vr_fuzz_vstpreset}, {"serum", vr_fuzz_serum},
        {"records", vr_fuzz_records}, {"midi", vr_fuzz_midi},       {"paths", vr_fuzz_paths},
        {"lv2", vr_fuzz_lv2},
    };
    std::size_t total = 0;
    for (const auto& [name, fn] : targets) total += replay_dir(fn, regressions(name));
    // The folder is in the repository with at least the records input.
    EXPECT_GE(total, 1u);
}

// The corpus the fuzzers grew (tests/fuzz/corpus/<target>/): every input
// in it held the target's properties when it was kept, and still does.
TEST(FuzzRegression, TheCorpusHoldsTheProperties) {
    const std::pair<const char*, target_fn> targets[] = {
        {"fxp", vr_fuzz_fxp},       {"vstpreset", vr_fuzz_vstpreset}, {"serum", vr_fuzz_serum},
        {"records", vr_fuzz_records}, {"midi", vr_fuzz_midi},       {"paths", vr_fuzz_paths},
        {"lv2", vr_fuzz_lv2},
    };
    const fs::path corpus = preset_tests::fixtures().parent_path() / "fuzz" / "corpus";
    for (const auto& [name, fn] : targets) EXPECT_GE(replay_dir(fn, corpus / name), 20u) << name;
}

TEST(FuzzRegression, SeedFixturesHoldTheProperties) {
    fs::path fix = preset_tests::fixtures();
    EXPECT_GE(replay_dir(vr_fuzz_fxp, fix / "fxp/files"), 20u);
    EXPECT_GE(replay_dir(vr_fuzz_vstpreset, fix / "vstpreset/files"), 5u);
    EXPECT_GE(replay_dir(vr_fuzz_serum, fix / "serum2/files"), 10u);
    EXPECT_GE(replay_dir(vr_fuzz_midi, fix / "midi/files"), 100u);
    EXPECT_GE(replay_dir(vr_fuzz_dx7, fix / "dx7/files"), 1u);
    EXPECT_GE(replay_dir(vr_fuzz_vital, fix / "vital/files"), 5u);
    EXPECT_GE(replay_dir(vr_fuzz_juce_xml, fix / "juce-xml/files"), 3u);
    // Every fixture's name through one assigner, and records from JSON files.
    std::string names;
    for (const fs::path& p : files_below(fix)) names += fs::relative(p, fix).string() + "\n";
    replay(vr_fuzz_paths, "fixture names", std::vector<std::uint8_t>(names.begin(), names.end()));
    std::string lines;
    for (const fs::path& p : files_below(fix / "serum2/files"))
        if (p.string().ends_with(".meta.json")) {
            auto b = vr::read_file(p.string(), 1u << 20);
            lines.append(b.begin(), b.end());
            lines += '\n';
        }
    replay(vr_fuzz_records, "fixture meta.json lines",
           std::vector<std::uint8_t>(lines.begin(), lines.end()));
}

// fuzz_records reads the loop's error records with its own checker, not
// nlohmann: the two agree on what is a JSON object and on the facts read.
TEST(FuzzRegression, RecordsCheckerReadsAsNlohmannDoes) {
    const std::string lines[] = {
        R"({"status":"error","error":{"tool":"t","message":"m","line":3,"text":"x"}})",
        R"({"status":"error","error":{"line":3},"error":{"line":4}})",
        R"({"error":{"line":3},"error":5,"status":"error"})",
        R"({"st\u0061tus":"\u0065rror","error":{"li\u006ee":18446744073709551615}})",
        R"({"status":"error","error":{"line":18446744073709551616}})",
        R"({"status":"error","error":{"line":-1}})",
        R"({"status":"error","error":{"line":3.0}})",
        R"({"status":"error","error":{"line":1e2}})",
        R"({"status":"error","error":{"x":{"line":3}}})",
        R"({"status":"errors"})",
        R"({"status":["error"]})",
        R"( {"a":[1,-0,0.5,1E+2,2e-3,true,false,null,"\"\\\/\b\f\n\r\t"]} )",
        "{\"a\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}",
        R"({"a":"\uD83D\uDE00"})",
        R"({"a":1e999})",
        R"({"a":-1e400})",
        R"({"a":"\uD83D"})",
        R"({"a":"\uDE00"})",
        R"({"a":"\u12"})",
        "{\"a\":\"\xed\xa0\x80\"}",
        "{\"a\":\"\xe0\x80\xaf\"}",
        "{\"a\":\"\xf4\x90\x80\x80\"}",
        "{\"a\":\"\xc3\"}",
        "{\"a\":\"\x01\"}",
        R"({"a":01})",
        R"({"a":1.})",
        R"({"a":.5})",
        R"({"a":+1})",
        R"({"a":1,})",
        R"({"a" 1})",
        R"({"a":tru})",
        R"({} {})",
        R"([1,2])",
        R"("error")",
        R"({)",
        "",
    };
    for (const std::string& line : lines) {
        record_facts want;
        bool is_object = vr::json::sax_parse(line, &want) && want.object;
        vr_fuzz::output_facts got;
        EXPECT_EQ(vr_fuzz::json_checker(line).read(got), is_object) << line;
        if (!is_object) continue;
        EXPECT_EQ(got.failed, want.failed) << line;
        EXPECT_EQ(got.error_object, want.error_object) << line;
        EXPECT_EQ(got.line, want.line) << line;
    }
}
