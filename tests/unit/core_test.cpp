// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for lib/'s core: the byte cursor, text helpers, records, files.
#include <gtest/gtest.h>

#include <algorithm>

#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <thread>
#include <vector>

#include "core/cursor.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "core/records.hpp"
#include "core/text.hpp"
#include "core/tool.hpp"
#include "jobs/grid.hpp"

namespace {

std::vector<std::uint8_t> bytes(std::initializer_list<int> l) {
    std::vector<std::uint8_t> v;
    for (int b : l) v.push_back(static_cast<std::uint8_t>(b));
    return v;
}

// A command line read by a cli with a few options; the usage error's
// message, or "" when it parsed.
std::string cli_error(std::vector<std::string> args) {
    args.insert(args.begin(), "tool");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    vr::cli cli("", "test");
    cli.add()("duration", "d", cxxopts::value<double>())("note", "n", cxxopts::value<int>())(
        "o,output", "o", cxxopts::value<std::string>());
    try {
        cli.parse(static_cast<int>(argv.size()), argv.data());
        return "";
    } catch (const vr::usage_error& e) {
        return e.what();
    }
}

TEST(Cli, ParseErrorsNameTheOptionTheValueAndTheNearestOption) {
    EXPECT_EQ(cli_error({"--note", "60"}), "");
    EXPECT_EQ(cli_error({"--note", "C4"}), "--note: 'C4' is not a number");
    EXPECT_EQ(cli_error({"--duration=x"}), "--duration: 'x' is not a number");
    EXPECT_EQ(cli_error({"--durration", "1"}), "unknown option '--durration'; did you mean '--duration'?");
    EXPECT_EQ(cli_error({"--frobnicate"}), "unknown option '--frobnicate'");
    EXPECT_EQ(cli_error({"-o"}), "option -o needs a value");
    // Straight quotes only, whatever cxxopts says.
    for (auto args : std::vector<std::vector<std::string>>{{"--note", "x"}, {"--nte"}, {"--output"}})
        EXPECT_EQ(cli_error(args).find("\u2018"), std::string::npos) << cli_error(args);
}

TEST(Cli, HelpHeadsEachGroupWithItsOwnName) {
    std::vector<std::string> args{"tool", "--help"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    vr::cli cli("", "test");
    cli.add("Defaults for fields a job lacks")("note", "n", cxxopts::value<int>());
    testing::internal::CaptureStdout();
    const bool go_on = cli.parse(static_cast<int>(argv.size()), argv.data());
    const std::string help = testing::internal::GetCapturedStdout();
    EXPECT_FALSE(go_on);
    EXPECT_NE(help.find("\n Defaults for fields a job lacks:\n"), std::string::npos) << help;
    EXPECT_EQ(help.find("options:"), std::string::npos) << help;
    EXPECT_NE(help.find("--note"), std::string::npos) << help;
}

TEST(Cursor, ReadsBothEndiannesses) {
    auto b = bytes({0x12, 0x34, 0x56, 0x78, 0x78, 0x56, 0x34, 0x12});
    vr::byte_cursor c(b);
    EXPECT_EQ(c.u32be("a"), 0x12345678u);
    EXPECT_EQ(c.u32le("b"), 0x12345678u);
    EXPECT_TRUE(c.at_end());
}

TEST(Cursor, RefusesToReadPastTheEndAndSaysWhere) {
    auto b = bytes({1, 2, 3});
    vr::byte_cursor c(b, 100);
    c.u8("first");
    try {
        c.u32be("numParams");
        FAIL() << "no throw";
    } catch (const vr::format_error& e) {
        EXPECT_EQ(e.offset, 101u);
        EXPECT_STREQ(e.what(), "truncated at byte 101: numParams needs 4 bytes, 2 left");
    }
    EXPECT_THROW(c.seek(4, "offset"), vr::format_error);
    EXPECT_THROW(c.bytes(SIZE_MAX, "huge"), vr::format_error);
}

TEST(Cursor, SubCursorKeepsAbsoluteOffsets) {
    auto b = bytes({0, 0, 0, 0, 9, 9});
    vr::byte_cursor c(b);
    c.skip(4, "head");
    auto sub = c.sub(2, "body");
    EXPECT_EQ(sub.offset(), 4u);
    EXPECT_TRUE(c.at_end());
    sub.u16be("x");
    EXPECT_THROW(sub.u8("y"), vr::format_error);
}

TEST(Text, ValidatesUtf8) {
    EXPECT_TRUE(vr::valid_utf8("plain"));
    EXPECT_TRUE(vr::valid_utf8("caf\xC3\xA9 \xF0\x9F\x8E\xB9"));
    EXPECT_FALSE(vr::valid_utf8("\xC3"));          // truncated
    EXPECT_FALSE(vr::valid_utf8("\xC0\xAF"));      // overlong
    EXPECT_FALSE(vr::valid_utf8("\xED\xA0\x80"));  // surrogate
    EXPECT_FALSE(vr::valid_utf8("\xFF"));
}

TEST(Text, CutsOnCharacterBoundaries) {
    std::string s = "a\xC3\xA9";  // a, e-acute
    EXPECT_EQ(vr::utf8_prefix(s, 2), "a");
    EXPECT_EQ(vr::utf8_prefix(s, 3), s);
    EXPECT_EQ(vr::printable_excerpt("a\x01\xFF", 10), "a\\x01\\xFF");
}

TEST(Records, TypedFieldsRefuseWrongTypes) {
    auto r = vr::json::parse(R"({"note":"sixty","velocity":100.0,"p":"a\u0000b","big":1e30})");
    EXPECT_THROW(vr::get_integer(r, "note", 0, 127), vr::record_error);
    EXPECT_EQ(vr::get_integer(r, "velocity", 1, 127).value(), 100);
    EXPECT_FALSE(vr::get_integer(r, "absent", 0, 1).has_value());
    EXPECT_THROW(vr::get_path(r, "p"), vr::record_error);
    EXPECT_THROW(vr::get_integer(r, "big", 0, 127), vr::record_error);
    try {
        vr::get_integer(r, "note", 0, 127);
    } catch (const vr::record_error& e) {
        EXPECT_STREQ(e.what(), "field 'note' must be a whole number, not a string (\"sixty\")");
    }
}

TEST(Records, LineReaderCapsLongLinesWithoutKeepingThem) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    std::string input = std::string(1000, 'x') + "\nshort\nlast";
    ASSERT_EQ(write(fds[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
    close(fds[1]);
    vr::line_reader r(fds[0], 100);
    std::string line;
    bool too_long;
    ASSERT_TRUE(r.next(line, too_long));
    EXPECT_TRUE(too_long);
    EXPECT_LE(line.size(), 200u);
    ASSERT_TRUE(r.next(line, too_long));
    EXPECT_FALSE(too_long);
    EXPECT_EQ(line, "short");
    ASSERT_TRUE(r.next(line, too_long));
    EXPECT_EQ(line, "last");
    EXPECT_EQ(r.line_number(), 3u);
    EXPECT_FALSE(r.next(line, too_long));
    close(fds[0]);
}

// Runs for_each_record over input with a tool that adds one field, and returns
// what it wrote.
std::string run_loop(const std::string& input) {
    int in[2], out[2];
    EXPECT_EQ(pipe(in), 0);
    EXPECT_EQ(pipe(out), 0);
    EXPECT_EQ(write(in[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
    close(in[1]);
    vr::record_writer w(out[1]);
    vr::for_each_record(in[0], w, [](vr::json&& r, vr::record_writer& o) {
        if (r.contains("throw")) throw vr::record_error("thrown");
        if (!r.contains("untouched")) r["seen"] = true;
        o.write(r);
    });
    close(in[0]);
    close(out[1]);
    std::string got;
    char buf[4096];
    for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
    close(out[0]);
    return got;
}

TEST(Records, PassesUnchangedRecordsOnByteForByte) {
    // 0.009195417 comes back from nlohmann's dump as 0.009195416999999999:
    // a record passed through must keep the text it came with.
    std::string errored = R"({"render_s": 0.009195417, "status":"error","error":{"tool":"x","message":"m"}})";
    std::string skipped = R"({"a":1.50,"status":"skipped"})";
    // A record the tool writes back unchanged goes out as it came too; one it
    // changed, or failed, is written anew.
    std::string untouched = R"({ "untouched" : 1.0, "b": 0.009195417 })";
    std::string got = run_loop(errored + "\n" + skipped + "\n" + untouched +
                               "\n{\"b\":0.009195417}\n{\"throw\": 0.009195417}\n[1]\n");
    std::string expect = errored + "\n" + skipped + "\n" + untouched +
                         "\n{\"b\":0.009195416999999999,\"seen\":true}\n" +
                         R"({"throw":0.009195416999999999,"status":"error","error":{"tool":"vst-render","message":"thrown"}})" + "\n";
    ASSERT_EQ(got.substr(0, expect.size()), expect);
    // The unreadable line becomes an error record naming its line.
    vr::json bad = vr::json::parse(got.substr(expect.size()));
    EXPECT_EQ(bad["status"], "error");
    EXPECT_NE(bad["error"]["message"].get<std::string>().find("line 6"), std::string::npos);
}

// Found by the records fuzzer: nlohmann passes over a leading byte order
// mark and stops reading at a NUL, so both lines went out as they came, and
// neither is JSON.
TEST(Records, ALineWithANulIsRefusedAndAByteOrderMarkDropped) {
    const std::string bom = "\xEF\xBB\xBF";
    std::string got = run_loop(bom + R"({"untouched":1})" + "\n" + std::string("{\"a\":1}\0junk", 12) + "\n" + bom + "\n");
    auto nl = got.find('\n');
    ASSERT_NE(nl, std::string::npos);
    EXPECT_EQ(got.substr(0, nl), R"({"untouched":1})");
    vr::json bad = vr::json::parse(got.substr(nl + 1));
    EXPECT_EQ(bad["status"], "error");
    EXPECT_NE(bad["error"]["message"].get<std::string>().find("NUL byte"), std::string::npos);
    EXPECT_EQ(bad["error"]["line"], 2);
    // The third line, a mark alone, is blank: no record.
    EXPECT_EQ(std::count(got.begin(), got.end(), '\n'), 2);
}

// An ordered_json object grows by copying what it holds: records read by
// for_each_record, and answers read with parse_with_room, come with room for
// the fields the tools add, their values the same as json::parse gives.
TEST(Records, RecordsAndAnswersComeWithRoomForTheFieldsAdded) {
    std::size_t room = 0;
    bool same = false;
    int in[2];
    ASSERT_EQ(pipe(in), 0);
    const std::string line = R"({"output_path":"a.wav","set_params":{"cutoff":0.25,"res":[1,2]},"n":null})";
    ASSERT_EQ(write(in[1], (line + "\n").data(), line.size() + 1), static_cast<ssize_t>(line.size() + 1));
    close(in[1]);
    vr::record_writer w(-1);
    vr::for_each_record(in[0], w, [&](vr::json&& r, vr::record_writer&) {
        room = r.get_ref<vr::json::object_t&>().capacity();
        same = r == vr::json::parse(line);
    });
    close(in[0]);
    EXPECT_TRUE(same);
    EXPECT_GE(room, 64u);

    const std::string answer = R"({"record":{"status":"ok","param_values":[0.5,0.25]},"crashed":false})";
    vr::json a = vr::parse_with_room(answer);
    EXPECT_EQ(a, vr::json::parse(answer));
    EXPECT_GE(a.get_ref<vr::json::object_t&>().capacity(), 64u);
    EXPECT_GE(a["record"].get_ref<vr::json::object_t&>().capacity(), 64u);
    // Added to, the record keeps its place and order; no room two levels down.
    for (int i = 0; i < 50; ++i) a["record"]["f" + std::to_string(i)] = i;
    EXPECT_EQ(a["record"].begin().key(), "status");
    EXPECT_EQ(a["record"]["f49"], 49);
    EXPECT_TRUE(vr::parse_with_room(R"({"a":)").is_discarded());
    EXPECT_TRUE(vr::parse_with_room("not json").is_discarded());
    EXPECT_EQ(vr::parse_with_room("[1,{}]"), vr::json::parse("[1,{}]"));
}

TEST(Files, AtomicWriteLeavesNoTemporaryAndRefusesSpecialFiles) {
    auto dir = std::filesystem::temp_directory_path() / ("vr-unit-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::string path = (dir / "out.bin").string();
    auto data = bytes({1, 2, 3});
    vr::write_file_atomic(path, data);
    EXPECT_EQ(vr::read_file(path, 10), data);
    EXPECT_THROW(vr::read_file(path, 2), vr::record_error);
    EXPECT_THROW(vr::read_file(dir.string(), 10), vr::record_error);
    std::string fifo = (dir / "fifo").string();
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_THROW(vr::read_file(fifo, 10), vr::record_error);  // and does not block
    int n = 0;
    for (auto& e : std::filesystem::directory_iterator(dir)) n += vr::is_temp_name(e.path().filename().string());
    EXPECT_EQ(n, 0);
    EXPECT_THROW(vr::write_file_atomic((dir / "no/such/dir/x").string(), data), vr::record_error);
    std::filesystem::remove_all(dir);
}

// write_all, which both atomic writers (files and beneath) use: every byte
// of a write larger than a pipe's buffer arrives, and a failed write gives
// its errno rather than throwing.
TEST(Files, WriteAllWritesEveryByteOrGivesTheErrno) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    std::vector<std::uint8_t> data(200000);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7);
    std::vector<std::uint8_t> got;
    std::thread reader([&] {
        std::uint8_t buf[4096];
        ssize_t n;
        while ((n = ::read(fds[0], buf, sizeof buf)) > 0) got.insert(got.end(), buf, buf + n);
    });
    EXPECT_EQ(vr::write_all(fds[1], data), 0);
    ::close(fds[1]);
    reader.join();
    ::close(fds[0]);
    EXPECT_EQ(got, data);
    EXPECT_EQ(vr::write_all(fds[1], data), EBADF);  // closed
}

TEST(Hash, MatchesKnownDigests) {
    std::vector<std::uint8_t> abc{'a', 'b', 'c'};
    EXPECT_EQ(vr::sha256_hex(abc), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(vr::md5_hex(abc), "900150983cd24fb0d6963f7d28e17f72");
    // FNV-1a 128: the empty text is its offset basis; "a" its published vector.
    EXPECT_EQ(vr::name_hash_hex(""), "6c62272e07bb014262b821756295c58d");
    EXPECT_EQ(vr::name_hash_hex("a"), "d228cb696f1a8caf78912b704e4a8964");
    EXPECT_EQ(vr::name_hash_hex("foobar"), "343e1662793c64bf6f0d3597ba446f18");
}

TEST(Grid, ParsesListsAndRanges) {
    EXPECT_EQ(vr::parse_number_list("21-108:12", 0, 127, "--notes"),
              (std::vector<int>{21, 33, 45, 57, 69, 81, 93, 105}));
    EXPECT_EQ(vr::parse_number_list("60,48,60", 0, 127, "--notes"), (std::vector<int>{60, 48}));
    EXPECT_THROW(vr::parse_number_list("", 0, 127, "--notes"), vr::usage_error);
    EXPECT_THROW(vr::parse_number_list("6x", 0, 127, "--notes"), vr::usage_error);
    EXPECT_THROW(vr::parse_number_list("1,,2", 0, 127, "--notes"), vr::usage_error);
}

}  // namespace
