// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for .npy files: the exact bytes we write, files as numpy writes
// them, and broken ones.
#include <gtest/gtest.h>

#include <bit>
#include <cstdlib>
#include <fstream>

#include "audio/file.hpp"
#include "audio/npy.hpp"
#include "audio_test_util.hpp"
#include "core/error.hpp"

namespace {

using namespace std::string_literals;
using vr::test::scratch_dir;

std::vector<std::uint8_t> to_bytes(const std::string& s) { return {s.begin(), s.end()}; }

std::string le32(float f) {
    auto v = std::bit_cast<std::uint32_t>(f);
    return {char(v), char(v >> 8), char(v >> 16), char(v >> 24)};
}

std::string le64(double d) {
    auto v = std::bit_cast<std::uint64_t>(d);
    std::string s;
    for (int i = 0; i < 8; ++i) s += char(v >> (8 * i));
    return s;
}

// A version 1.0 file the way numpy.save lays it out: the dict, spaces, '\n',
// data aligned to 64 bytes.
std::string npy_v1(const std::string& dict, const std::string& data) {
    std::string header = dict;
    std::size_t total = 10 + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header += '\n';
    std::string out = "\x93NUMPY\x01";
    out += '\0';
    out += char(header.size() & 0xff);
    out += char(header.size() >> 8);
    return out + header + data;
}

TEST(Npy, HeaderIsWhatNumpyExpects) {
    vr::audio_buffer a;
    a.channels = 2;
    a.samples = {1.0f, -1.0f, 0.5f, 0.25f, 0.0f, -0.125f};
    auto bytes = vr::encode_npy(a);
    std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }";
    ASSERT_EQ(bytes.size(), 128u + 6 * 4);
    std::string head(bytes.begin(), bytes.begin() + 128);
    EXPECT_EQ(head.substr(0, 6), "\x93NUMPY");
    EXPECT_EQ(head[6], 1);  // version 1.0
    EXPECT_EQ(head[7], 0);
    EXPECT_EQ(bytes[8] | bytes[9] << 8, 118);  // header length, little-endian
    EXPECT_EQ(head.substr(10, dict.size()), dict);
    EXPECT_EQ(head.substr(10 + dict.size(), 127 - 10 - dict.size()),
              std::string(127 - 10 - dict.size(), ' '));
    EXPECT_EQ(head[127], '\n');
    // 1.0f little-endian, then -1.0f: interleaved, C order.
    EXPECT_EQ(std::vector<std::uint8_t>(bytes.begin() + 128, bytes.begin() + 136),
              (std::vector<std::uint8_t>{0, 0, 0x80, 0x3f, 0, 0, 0x80, 0xbf}));
}

TEST(Npy, MonoIsTwoDimensionalAndDataIsAlwaysAligned) {
    vr::audio_buffer a;
    a.channels = 1;
    for (std::size_t frames : {0u, 1u, 9u, 10u, 123456u, 1234567u}) {
        a.samples.assign(frames, 0.5f);
        auto bytes = vr::encode_npy(a);
        std::size_t header_len = bytes[8] | bytes[9] << 8;
        EXPECT_EQ((10 + header_len) % 64, 0u) << frames;
        EXPECT_EQ(bytes[10 + header_len - 1], '\n');
        std::string text(bytes.begin() + 10, bytes.begin() + 10 + header_len);
        EXPECT_NE(text.find("'shape': (" + std::to_string(frames) + ", 1), }"), std::string::npos)
            << text;
        EXPECT_EQ(bytes.size(), 10 + header_len + frames * 4);
    }
}

// Files as numpy writes them but we do not: 1-D, float64, Fortran order,
// format version 2.0, numpy 2's extra header padding.
TEST(Npy, ReadsWhatNumpyWrites) {
    auto one_d = npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
                        le32(0.5f) + le32(-0.5f) + le32(1.0f));
    auto a = vr::decode_npy(to_bytes(one_d), "a.npy");
    EXPECT_EQ(a.channels, 1);
    EXPECT_EQ(a.sample_rate, 0);
    EXPECT_EQ(a.samples, (std::vector<float>{0.5f, -0.5f, 1.0f}));

    // (2 frames, 2 channels) stored channel after channel.
    auto fortran =
        npy_v1("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }" + std::string(21, ' '),
               le64(0.1) + le64(0.2) + le64(-0.1) + le64(-0.2));
    a = vr::decode_npy(to_bytes(fortran), "f.npy");
    EXPECT_EQ(a.channels, 2);
    EXPECT_EQ(a.samples, (std::vector<float>{0.1f, -0.1f, 0.2f, -0.2f}));

    std::string dict = "{'shape': (1, 1), 'fortran_order': False, 'descr': '<f4'}";
    std::string v2 = "\x93NUMPY\x02";
    v2 += '\0';
    std::size_t len = 128 - 12;
    v2 += std::string{char(len), 0, 0, 0} + dict + std::string(len - dict.size() - 1, ' ') + "\n";
    v2 += le32(0.75f);
    a = vr::decode_npy(to_bytes(v2), "v2.npy");
    EXPECT_EQ(a.samples, std::vector<float>{0.75f});
}

TEST(Npy, RefusesBrokenFilesSayingWhere) {
    const std::string f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), }";
    const std::string data = le32(0.5f) + le32(0.25f);
    struct c {
        std::string bytes;
        std::string says;
    };
    const c cases[] = {
        {npy_v1(f4, data.substr(0, 6)), "truncated"},
        {npy_v1(f4, data + "xx"), "2 bytes after the sample data"},
        {npy_v1("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 1), }", data), "'>f4'"},
        {npy_v1("{'descr': '<i2', 'fortran_order': False, 'shape': (4,), }", data), "'<i2'"},
        {npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 2), }", data),
         "3 dimensions"},
        {npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", data), "0 dimensions"},
        {npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 0), }", data), "0 channels"},
        {npy_v1("{'descr': '<f4', 'fortran_order': False, "
                "'shape': (18446744073709551615, 2), }",
                data),
         "truncated"},
        {npy_v1("{'descr': '<f4', 'fortran_order': False, "
                "'shape': (18446744073709551616, 2), }",
                data),
         "too large"},
        {npy_v1("{'descr': '<f4', 'shape': (2, 1), }", data), "no 'fortran_order'"},
        {npy_v1("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2, 1), }", data),
         "True or False"},
        {npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), 'x': 1}", data),
         "unexpected key 'x'"},
        {npy_v1("['not', 'a', 'dict']", data), "'{'"},
        {npy_v1(f4 + "junk", data), "after the header dictionary"},
        {"\x93NUMPY\x09\x00\x10\x00"s, "format version 9"},
        {"\x93NUMPY\x01\x00\xff\x7f{'descr'"s, "truncated"},
        {"\x93NUM", "truncated"},
        {"RIFF\x93NUMPY", "not a .npy file"},
    };
    for (const auto& t : cases) {
        SCOPED_TRACE(t.says);
        try {
            vr::decode_npy(to_bytes(t.bytes), "dir/x.npy");
            ADD_FAILURE() << "accepted";
        } catch (const vr::format_error& e) {
            std::string msg = e.what();
            EXPECT_EQ(msg.rfind("dir/x.npy: ", 0), 0u) << msg;
            EXPECT_NE(msg.find(t.says), std::string::npos) << msg;
            EXPECT_LE(e.offset, t.bytes.size()) << msg;
        }
    }
}

// read_audio_file knows a .npy file by its magic, whatever its name.
TEST(Npy, ReadAudioFileFindsItByContent) {
    scratch_dir dir;
    vr::audio_buffer a = vr::test::test_signal(2, 48000, 50);
    vr::write_audio_file(dir.file("a.npy"), a, vr::sample_format::float32);
    std::filesystem::rename(dir.file("a.npy"), dir.file("a.data"));
    auto back = vr::read_audio_file(dir.file("a.data"));
    EXPECT_EQ(back.channels, 2);
    EXPECT_EQ(back.samples, a.samples);
}

// numpy itself, where it is installed: np.load gives our samples back.
TEST(Npy, NumpyLoadsIt) {
    std::string python;
    for (const char* p : {"python3", "/usr/bin/python3"})
        if (std::system((std::string(p) + " -c 'import numpy' >/dev/null 2>&1").c_str()) == 0) {
            python = p;
            break;
        }
    if (python.empty()) GTEST_SKIP() << "numpy is not installed";
    scratch_dir dir;
    vr::audio_buffer a;
    a.channels = 2;
    a.samples = {1.0f, -1.0f, 0.5f, 0.25f, 0.0f, -0.125f};
    vr::write_audio_file(dir.file("n.npy"), a, vr::sample_format::float32);
    std::string script = dir.file("check.py");
    std::ofstream(script) << "import numpy, sys\n"
                             "x = numpy.load(sys.argv[1])\n"
                             "assert x.dtype == numpy.dtype('<f4'), x.dtype\n"
                             "assert x.shape == (3, 2), x.shape\n"
                             "assert x.flags['C_CONTIGUOUS']\n"
                             "assert x.tolist() == [[1, -1], [0.5, 0.25], [0, -0.125]], x\n";
    EXPECT_EQ(std::system((python + " " + script + " " + dir.file("n.npy")).c_str()), 0);
}

}  // namespace
