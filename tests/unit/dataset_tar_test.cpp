// SPDX-License-Identifier: GPL-3.0-or-later
// dataset-pack's tar writer (lib/dataset/tar.hpp): ustar headers as POSIX
// lays them out, checksums, padding, a member cut back after a failure, and
// pax records whose length counts itself.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

#include "core/error.hpp"
#include "dataset/tar.hpp"

namespace {

namespace d = vr::dataset;

unsigned checksum(const char* h) {
    unsigned sum = 0;
    for (int i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
    return sum;
}

TEST(Tar, UstarHeaderFieldsAndChecksum) {
    char h[512];
    d::ustar_header(h, "000000042.flac", 1234567);
    EXPECT_EQ(std::string(h), "000000042.flac");
    EXPECT_EQ(std::string(h + 100), "0000644");
    EXPECT_EQ(std::string(h + 124), "00004553207");  // 1234567 in octal
    EXPECT_EQ(std::string(h + 136), "00000000000");  // mtime 0
    EXPECT_EQ(h[156], '0');
    EXPECT_EQ(std::string(h + 257), "ustar");
    EXPECT_EQ(std::string(h + 263, 2), "00");
    EXPECT_EQ(std::strtoul(h + 148, nullptr, 8), checksum(h));
    EXPECT_EQ(h[155], ' ');
    EXPECT_THROW(d::ustar_header(h, std::string(101, 'a'), 1), vr::fatal_error);
}

TEST(Tar, PaxRecordLengthCountsItself) {
    EXPECT_EQ(d::pax_record("size", "8589934592"), "19 size=8589934592\n");
    EXPECT_EQ(d::pax_record("a", "b"), "6 a=b\n");
    // 2 + 98 bytes would be 100, but "100" has 3 digits: 101.
    EXPECT_EQ(d::pax_record("k", std::string(94, 'v')), "101 k=" + std::string(94, 'v') + "\n");
    for (std::size_t n = 0; n < 300; ++n) {
        std::string r = d::pax_record("size", std::string(n, '1'));
        EXPECT_EQ(std::stoul(r), r.size()) << n;
    }
}

TEST(Tar, MembersArePaddedTheArchiveEndsOnARecordAndAFailedMemberIsCutBack) {
    char path[] = "/tmp/vr-tar-test-XXXXXX";
    int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    d::tar_writer tar(fd);
    tar.add_bytes("a.json", std::string("{\"x\":1}"));
    EXPECT_EQ(tar.size(), 1024u);
    std::uint64_t before = tar.size();
    char src[] = "/tmp/vr-tar-src-XXXXXX";
    int in = ::mkstemp(src);
    ASSERT_EQ(::write(in, "abc", 3), 3);
    // The file is shorter than said: the member fails and is cut back.
    EXPECT_THROW(tar.add_file("b.wav", in, 10, "b.wav"), vr::record_error);
    tar.truncate(before);
    tar.add_file("b.wav", in, 3, "b.wav");
    tar.finish();
    EXPECT_EQ(tar.size(), 10240u);
    EXPECT_EQ(::lseek(fd, 0, SEEK_END), 10240);
    std::vector<char> all(10240);
    ASSERT_EQ(::pread(fd, all.data(), all.size(), 0), 10240);
    EXPECT_EQ(std::string(all.data() + 512, 7), "{\"x\":1}");
    EXPECT_EQ(std::string(all.data() + 1024), "b.wav");
    EXPECT_EQ(std::string(all.data() + 1536, 3), "abc");
    ::close(in);
    ::close(fd);
    ::unlink(src);
    ::unlink(path);
}

}  // namespace
