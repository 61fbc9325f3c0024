// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for preset-scan's fast walk: batched reads through io_uring give
// the very records the file-by-file reads give, on a folder of every kind of
// file a scan meets; the reads stop as soon as the kind is settled.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

#include "core/files.hpp"
#include "core/handles.hpp"
#include "core/records.hpp"
#include "presets/detect.hpp"
#include "presets/head_batch.hpp"
#include "presets/probe.hpp"
#include "presets/scan.hpp"
#include "presets/walk.hpp"
#include "presets_fixtures.hpp"

namespace {

using namespace preset_tests;

fs::path temp_dir() { return fs::temp_directory_path() / ("vr-presets-walk-" + std::to_string(::getpid())); }

// The files these tests write go when the run ends.
struct remove_temp_dir : ::testing::Environment {
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(temp_dir(), ignored);
    }
};
[[maybe_unused]] auto* const temp_dir_cleanup = ::testing::AddGlobalTestEnvironment(new remove_temp_dir);

void write(const fs::path& path, const std::string& text) {
    vr::write_file_atomic(path.string(), {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

void write(const fs::path& path, const byte_vector& bytes) { vr::write_file_atomic(path.string(), bytes); }

// Everything scan_operand writes for `root`, as the bytes of its records.
std::string scan_output(const fs::path& root, const vr::scan_options& options) {
    vr::unique_fd fd(::memfd_create("scan", MFD_CLOEXEC));
    EXPECT_TRUE(fd);
    vr::record_writer out(fd.get());
    vr::scan_operand(root.string(), options, out);
    off_t size = ::lseek(fd.get(), 0, SEEK_END);
    std::string text(static_cast<std::size_t>(size), '\0');
    EXPECT_EQ(::pread(fd.get(), text.data(), text.size(), 0), size);
    return text;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// A folder of what a sample library holds, 300 files long so that it takes
// more than two batches: presets under their own names and under others,
// files that begin like a magic and end there, empty and short files, and
// files named like presets that are not. Returns how many presets it holds.
std::size_t make_library(const fs::path& dir) {
    fs::create_directories(dir / "sub");
    auto fxp = load("fxp", "ardour2fxp/MDAx_Harp_FxCk.fxp");
    auto fxb = load("fxp", "ardour2fxp/MDAx.fxb");
    auto vst3 = load("vstpreset", "iterum/Tape_LoFi_Groove.vstpreset");
    // Twelve kinds of file, by name ending and bytes; the first three are presets.
    const std::vector<std::pair<std::string, byte_vector>> kinds{
        {".fxp", fxp},
        {".FXB", fxb},
        {".dat", vst3},  // found by its bytes
        {".txt", bytes_of("read me\n")},
        {"", {}},
        {".bin", bytes_of("Ccn")},  // a magic's start, then the end
        {".SerumPreset", bytes_of("XferJso")},
        {".fxp", bytes_of("not a preset at all\n")},
        {".wav", bytes_of(std::string("RIFF\x24\0\0\0WAVEfmt ", 16) + std::string(2000, 'x'))},
        {".fxp", byte_vector(fxp.begin(), fxp.begin() + 40)},  // cut short
        {"", bytes_of(std::string("CcnK") + std::string(600, '\0'))},
        {".vstpreset", bytes_of(std::string(700, 'a'))},
    };
    std::size_t presets = 0;
    for (std::size_t i = 0; i < 300; ++i) {
        const auto& [ending, bytes] = kinds[i % kinds.size()];
        write(dir / ("f" + std::to_string(1000 + i) + ending), bytes);
        if (i % kinds.size() < 3) ++presets;
    }
    write(dir / "sub" / "inner.fxp", fxp), ++presets;
    // Over what a batch reads whole: read again on its own.
    write(dir / "sub" / "large.fxb", load("fxp", "DISTRHO-Ports-obxd/002 - KVR Bass.fxb")), ++presets;
    write(dir / "sub" / "large-text.fxp", std::string(100000, 'a'));
    fs::create_symlink("sub", dir / "link-to-sub"), presets += 2;
    fs::create_symlink("f1000.fxp", dir / "link.fxp"), ++presets;
    fs::create_symlink("missing", dir / "dangling.fxp");
    fs::create_symlink(".", dir / "self");
    EXPECT_EQ(::mkfifo((dir / "pipe.fxp").c_str(), 0644), 0);
    EXPECT_EQ(::mkfifo((dir / "pipe").c_str(), 0644), 0);
    write(dir / ".p.fxp.vr-tmp-1-1", fxp);  // half written: not a preset yet
    return presets;
}

}  // namespace

TEST(PresetsWalk, SniffIsSettledOnlyWhenNoMoreBytesCouldChangeTheKind) {
    for (const char* open : {"", "C", "Ccn", "VST", "XferJson"})
        EXPECT_FALSE(vr::sniff_settled(bytes_of(open))) << open;
    std::string serum("XferJson\0", 9);
    for (const auto& head : std::vector<std::string>{"CcnK", "Cx", "read me\n", "VST3", serum, "XferJsoN"})
        EXPECT_TRUE(vr::sniff_settled(bytes_of(head))) << head;
}

TEST(PresetsWalk, ANameClaimsAFormatInAnyLetterCase) {
    EXPECT_EQ(vr::claimed_by_name("/a/b.FxP"), vr::preset_kind::fx);
    EXPECT_EQ(vr::claimed_by_name("b.fxB"), vr::preset_kind::fx);
    EXPECT_EQ(vr::claimed_by_name("x.VSTPreset"), vr::preset_kind::vstpreset);
    EXPECT_EQ(vr::claimed_by_name("x.serumpreset"), vr::preset_kind::serum2);
    EXPECT_EQ(vr::claimed_by_name(".fxp"), vr::preset_kind::none);
    EXPECT_EQ(vr::claimed_by_name("x.fxpp"), vr::preset_kind::none);
    EXPECT_EQ(vr::claimed_by_name("d.fxp/file"), vr::preset_kind::none);
}

TEST(PresetsWalk, AHeadStopsOnceTheKindIsSettledAndAPresetIsReadWhole) {
    auto dir = temp_dir() / "head";
    fs::create_directories(dir);
    auto fxb = load("fxp", "ardour2fxp/MDAx.fxb");
    write(dir / "bank.fxb", fxb);
    write(dir / "text", std::string(2000, 't'));
    write(dir / "short", "Ccn");

    vr::unique_fd fd(::open((dir / "bank.fxb").c_str(), O_RDONLY));
    auto head = vr::read_preset_head(fd.get(), false);
    EXPECT_EQ(head.kind, vr::preset_kind::fx);
    EXPECT_EQ(head.bytes.size(), vr::sniff_size);
    struct stat st {};
    ASSERT_EQ(::fstat(fd.get(), &st), 0);
    vr::read_preset_rest(fd.get(), st, head);
    EXPECT_TRUE(std::ranges::equal(head.bytes, fxb));

    fd = vr::unique_fd(::open((dir / "text").c_str(), O_RDONLY));
    head = vr::read_preset_head(fd.get(), true);
    EXPECT_EQ(head.kind, vr::preset_kind::none);
    EXPECT_EQ(std::string(head.bytes.begin(), head.bytes.end()), std::string(vr::sniff_size, 't'));

    fd = vr::unique_fd(::open((dir / "short").c_str(), O_RDONLY));
    head = vr::read_preset_head(fd.get(), false);
    EXPECT_EQ(head.kind, vr::preset_kind::none);
    EXPECT_TRUE(head.at_end);
    EXPECT_EQ(std::string(head.bytes.begin(), head.bytes.end()), "Ccn");
}

// What a preset is read into lies on a 64-byte boundary once it is 4 KiB or
// more (core/memory.hpp: the kernel's copy is three times slower 1 to 63
// bytes past a page boundary on this kind of machine), whether read whole
// at once or on from its head.
TEST(PresetsWalk, ALargePresetIsReadIntoAnAlignedBuffer) {
    auto dir = temp_dir() / "aligned";
    fs::create_directories(dir);
    auto vital = load("vital", "TechnoReese.vital");
    write(dir / "big.vital", vital);
    vr::read_bytes whole = vr::read_preset_file((dir / "big.vital").string());
    EXPECT_TRUE(std::ranges::equal(whole, vital));
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(whole.data()) % 64, 0u);
    vr::probe_result r = vr::probe_file(AT_FDCWD, (dir / "big.vital").c_str(), true);
    ASSERT_EQ(r.error, nullptr);
    EXPECT_TRUE(std::ranges::equal(r.head.bytes, vital));
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(r.head.bytes.data()) % 64, 0u);
}

TEST(PresetsWalk, AHeadBatchReadsEveryFileAndSaysWhyOneFailed) {
    vr::head_batch batch;
    if (!batch.available()) GTEST_SKIP() << "io_uring is not available here";
    auto dir = temp_dir() / "batch";
    fs::create_directories(dir / "folder");
    constexpr std::size_t big = vr::head_batch::whole_max;
    // File i: i * 700 bytes of one letter, the last one a byte over whole_max.
    std::vector<std::string> names, contents;
    for (std::size_t i = 0; i < 100; ++i) {
        names.push_back("f" + std::to_string(i));
        contents.push_back(std::string(i == 99 ? big + 1 : i * 700, static_cast<char>('a' + i % 26)));
        write(dir / names.back(), contents.back());
    }
    names.push_back("missing");
    names.push_back("folder");
    vr::unique_fd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY));
    // Many times over, so that the rings wrap around; heads and whole files.
    for (int round = 0; round < 40; ++round) {
        std::vector<vr::head_batch::request> files;
        for (std::size_t i = 0; i < names.size(); ++i)
            files.push_back({names[i].c_str(), (i + static_cast<std::size_t>(round)) % 3 == 0});
        batch.run(dirfd.get(), files);
        for (std::size_t i = 0; i < 100; ++i) {
            SCOPED_TRACE(names[i] + (files[i].whole ? " whole" : " head"));
            auto r = batch.get(i);
            ASSERT_EQ(r.open_errno, 0);
            ASSERT_EQ(r.read_errno, 0);
            std::size_t want = std::min(contents[i].size(), files[i].whole ? big : vr::sniff_size);
            ASSERT_EQ(std::string(r.bytes.begin(), r.bytes.end()), contents[i].substr(0, want));
            // The end is seen by a whole read that fits, or by a read that gives nothing.
            ASSERT_EQ(r.at_end, contents[i].empty() || (files[i].whole && contents[i].size() <= big));
            // Each file lands on a page boundary (core/memory.hpp says why).
            if (!r.bytes.empty()) {
                ASSERT_EQ(reinterpret_cast<std::uintptr_t>(r.bytes.data()) % 4096, 0u);
            }
        }
        EXPECT_EQ(batch.get(100).open_errno, ENOENT);
        EXPECT_EQ(batch.get(101).open_errno, 0);
        EXPECT_EQ(batch.get(101).read_errno, EISDIR);
    }
}

// The prober shares a run between its thread and a helper's: every result
// is probe_file's for that file, handed over in order, on runs of many
// lengths (one file, under the least it shares, over a step's worth). Some
// files are Vital presets of 170 KB and more, read on past the batch's
// whole_max and summed up on whichever thread read them, one of them under
// a name that claims nothing.
TEST(PresetsWalk, ASharedRunGivesEachFileItsOwnResultInOrder) {
    vr::folder_prober prober(true);
    if (!prober.split()) GTEST_SKIP() << "io_uring or a second processor is not available here";
    auto dir = temp_dir() / "split";
    fs::create_directories(dir);
    auto fxp = load("fxp", "ardour2fxp/MDAx_Harp_FxCk.fxp");
    auto vital = load("vital", "TechnoReese.vital");
    ASSERT_GT(vital.size(), vr::head_batch::whole_max);
    std::vector<std::string> names;
    std::size_t presets = 0;
    for (std::size_t i = 0; i < 1100; ++i) {
        bool big = i % 37 == 3;
        presets += i % 7 == 0 || big;
        names.push_back("g" + std::to_string(1000 + i) + (i % 7 == 0 ? ".fxp" : big && i != 3 ? ".vital" : ".txt"));
        if (i % 7 == 0)
            write(dir / names.back(), fxp);
        else if (big)
            write(dir / names.back(), vital);
        else
            write(dir / names.back(), std::string(100 + i, static_cast<char>('a' + i % 26)));
    }
    names.push_back("missing");
    vr::unique_fd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY));
    for (std::size_t length : {std::size_t{1}, std::size_t{15}, std::size_t{16}, std::size_t{257}, names.size()}) {
        SCOPED_TRACE(length);
        std::vector<vr::probe_job> jobs;
        for (std::size_t i = names.size() - length; i < names.size(); ++i) jobs.push_back({names[i].c_str(), i % 2 == 0});
        // Twice, so that the split moves between the runs.
        for (int round = 0; round < 2; ++round) {
            std::size_t next = 0, summed = 0;
            prober.run(dirfd.get(), jobs, [&](std::size_t i, vr::probe_result& r) {
                ASSERT_EQ(i, next++);
                vr::probe_result want = vr::probe_file(dirfd.get(), jobs[i].name, jobs[i].whole_head);
                EXPECT_EQ(r.open_errno, want.open_errno) << jobs[i].name;
                EXPECT_EQ(r.error == nullptr, want.error == nullptr) << jobs[i].name;
                EXPECT_EQ(r.head.kind, want.head.kind) << jobs[i].name;
                ASSERT_EQ(r.summary.has_value(), want.summary.has_value()) << jobs[i].name;
                EXPECT_EQ(r.summary_error == nullptr, want.summary_error == nullptr) << jobs[i].name;
                if (r.summary) {
                    EXPECT_EQ(r.summary->format, want.summary->format) << jobs[i].name;
                    EXPECT_EQ(r.summary->name, want.summary->name) << jobs[i].name;
                    EXPECT_EQ(r.summary->synth_version, want.summary->synth_version) << jobs[i].name;
                    ++summed;
                }
                // A preset over whole_max may have given its bytes back, and
                // the head of a file that is no preset is kept only when a
                // message may describe it.
                bool kept = r.summary ? want.head.bytes.size() <= vr::head_batch::whole_max
                                      : r.head.kind != vr::preset_kind::none || jobs[i].whole_head;
                if (kept) {
                    EXPECT_TRUE(r.head.bytes == want.head.bytes) << jobs[i].name;
                }
            });
            EXPECT_EQ(next, jobs.size());
            if (length == names.size()) {
                EXPECT_EQ(summed, presets);
            }
        }
    }
}

TEST(PresetsWalk, BatchedReadsWriteTheSameRecordsAsReadsOneByOne) {
    auto dir = temp_dir() / "library";
    std::size_t presets = make_library(dir);
    for (bool by_extension : {false, true}) {
        for (bool expand_banks : {false, true}) {
            SCOPED_TRACE(std::to_string(by_extension) + std::to_string(expand_banks));
            vr::scan_options batched{by_extension, expand_banks, true};
            vr::scan_options one_by_one{by_extension, expand_banks, false};
            std::string a = scan_output(dir, batched), b = scan_output(dir, one_by_one);
            EXPECT_EQ(a, b);
            if (expand_banks) continue;
            // Every preset found by its bytes; under another name only without --by-extension.
            EXPECT_EQ(count(a, "\"preset_format\":\""), by_extension ? presets - 25 : presets);
            // Each file named like a preset that is not one is an error, and nothing else is.
            EXPECT_EQ(count(a, "a text file, not an fxp/fxb preset"), 27u);  // 25, and large-text twice
            EXPECT_EQ(count(a, "a text file, not a Serum 2 preset"), 25u);
            EXPECT_EQ(count(a, "a text file, not a VST3 preset"), 25u);
            EXPECT_EQ(count(a, "truncated at byte"), 25u);
            // Broken under another name: an error still, when the file is read at all.
            EXPECT_EQ(count(a, "unknown fxMagic"), by_extension ? 0u : 25u);
            EXPECT_EQ(count(a, "dangling.fxp: cannot stat: No such file or directory"), 1u);
            EXPECT_EQ(count(a, "pipe.fxp: a FIFO, not a file"), 1u);
            EXPECT_EQ(count(a, "self: a symlink loop"), 1u);
            EXPECT_EQ(count(a, "vr-tmp"), 0u);
        }
    }
}
