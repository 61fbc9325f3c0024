// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for the preview page: escaping, links, images, rows.
#include <gtest/gtest.h>
#include <libdeflate.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numbers>
#include <set>
#include <unistd.h>

#include "core/error.hpp"
#include "preview/images.hpp"
#include "preview/index.hpp"
#include "preview/page.hpp"
#include "preview/png.hpp"

namespace {

vr::audio_buffer sine(double hz, double amplitude, int frames, int rate = 48000) {
    vr::audio_buffer a;
    a.channels = 2;
    a.sample_rate = rate;
    for (int i = 0; i < frames; ++i) {
        float v = static_cast<float>(amplitude * std::sin(2 * std::numbers::pi * hz * i / rate));
        a.samples.push_back(v);
        a.samples.push_back(v);
    }
    return a;
}

// Sum of the three colour bytes of a pixel: brighter is louder here.
int brightness(const vr::rgb_image& img, int x, int y) {
    const auto* p = &img.pixels[(static_cast<std::size_t>(y) * img.width + x) * 3];
    return p[0] + p[1] + p[2];
}

std::uint32_t be32(const std::vector<std::uint8_t>& b, std::size_t at) {
    return std::uint32_t{b.at(at)} << 24 | std::uint32_t{b.at(at + 1)} << 16 | std::uint32_t{b.at(at + 2)} << 8 |
           b.at(at + 3);
}

// A PNG as png_encoder writes it read back: every chunk's CRC checked, the
// zlib stream inflated, palette indices looked up. `depth` gets the bit depth,
// `palette` the PLTE's colours (0 for RGB).
vr::rgb_image decode_png(const std::vector<std::uint8_t>& png, int& depth, int& palette) {
    vr::rgb_image img;
    std::vector<std::uint8_t> plte, idat;
    int type = -1;
    for (std::size_t at = 8; at < png.size();) {
        std::uint32_t size = be32(png, at);
        std::string name(png.begin() + at + 4, png.begin() + at + 8);
        EXPECT_EQ(be32(png, at + 8 + size), libdeflate_crc32(0, &png.at(at + 4), size + 4)) << name;
        const std::uint8_t* data = &png.at(at + 8);
        if (name == "IHDR") {
            img.width = static_cast<int>(be32(png, at + 8));
            img.height = static_cast<int>(be32(png, at + 12));
            depth = data[8];
            type = data[9];
        } else if (name == "PLTE") {
            plte.assign(data, data + size);
        } else if (name == "IDAT") {
            idat.insert(idat.end(), data, data + size);
        }
        at += 12 + size;
    }
    palette = static_cast<int>(plte.size() / 3);
    EXPECT_TRUE(type == 2 || type == 3);
    std::size_t row_bytes = type == 2 ? img.width * 3u : (img.width * static_cast<std::size_t>(depth) + 7) / 8;
    std::vector<std::uint8_t> raw((row_bytes + 1) * img.height);
    std::size_t got = 0;
    auto* d = libdeflate_alloc_decompressor();
    EXPECT_EQ(libdeflate_zlib_decompress(d, idat.data(), idat.size(), raw.data(), raw.size(), &got),
              LIBDEFLATE_SUCCESS);
    libdeflate_free_decompressor(d);
    EXPECT_EQ(got, raw.size());
    for (int y = 0; y < img.height; ++y) {
        const std::uint8_t* row = &raw[y * (row_bytes + 1)];
        EXPECT_EQ(row[0], 0) << "filter of row " << y;
        for (int x = 0; x < img.width; ++x) {
            if (type == 2) {
                img.pixels.insert(img.pixels.end(), row + 1 + x * 3, row + 4 + x * 3);
                continue;
            }
            int per_byte = 8 / depth, shift = 8 - depth - (x % per_byte) * depth;
            std::size_t i = (row[1 + x / per_byte] >> shift) & ((1 << depth) - 1);
            EXPECT_LT(i, plte.size() / 3);
            img.pixels.insert(img.pixels.end(), plte.begin() + i * 3, plte.begin() + i * 3 + 3);
        }
    }
    return img;
}

TEST(Preview, EscapesEveryMarkupCharacter) {
    EXPECT_EQ(vr::html_escape("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
    EXPECT_EQ(vr::html_escape("plain é"), "plain é");
}

TEST(Preview, LinksAreRelativeAndUrlEncoded) {
    EXPECT_EQ(vr::relative_href("/r/preview", "/r/audio/a b#1?.wav"), "../audio/a%20b%231%3F.wav");
    EXPECT_EQ(vr::relative_href("/r/preview", "/r/preview/x.wav"), "x.wav");
    EXPECT_EQ(vr::relative_href("/a/b/c", "/x/%.wav"), "../../../x/%25.wav");
    EXPECT_EQ(vr::url_encode_path("é"), "%C3%A9");
}

TEST(Preview, PngIsDeterministicAndStartsWithTheSignature) {
    auto img = vr::draw_waveform(sine(440, 0.5, 4800), 50, 20);
    auto a = vr::encode_png(img), b = vr::encode_png(img);
    ASSERT_GT(a.size(), 8u);
    EXPECT_EQ(a, b);
    const std::uint8_t sig[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    EXPECT_TRUE(std::equal(sig, sig + 8, a.begin()));
}

TEST(Preview, PngDecodesToItsPixelsWithTheSmallestDepthThatHoldsThem) {
    // Pictures of 1, 2, 3, 5, 17 and 256 colours, and one of 300 (RGB), in
    // widths that leave a part of the last byte of each row unused.
    vr::png_encoder png;
    for (int colours : {1, 2, 3, 5, 17, 256, 300}) {
        for (int width : {1, 7, 33}) {
            vr::rgb_image img{width, 11, {}};
            for (int i = 0; i < width * 11; ++i) {
                int c = (i * 7) % colours;
                img.pixels.push_back(static_cast<std::uint8_t>(c));
                img.pixels.push_back(static_cast<std::uint8_t>(c >> 8));
                img.pixels.push_back(200);
            }
            int used = std::min(colours, width * 11), depth = 0, palette = 0;
            auto bytes = png.encode(img);
            auto back = decode_png(bytes, depth, palette);
            EXPECT_EQ(back.width, width);
            EXPECT_EQ(back.height, 11);
            EXPECT_EQ(back.pixels, img.pixels) << colours << " colours, " << width << " wide";
            int want_depth = used <= 2 ? 1 : used <= 4 ? 2 : used <= 16 ? 4 : 8;
            EXPECT_EQ(depth, want_depth) << colours << " colours, " << width << " wide";
            EXPECT_EQ(palette, used <= 256 ? used : 0) << colours << " colours, " << width << " wide";
            EXPECT_EQ(bytes, vr::encode_png(img));  // an encoder's earlier pictures change nothing
        }
    }
    // The preview's own pictures of a sweep: a waveform of 2 colours and a
    // spectrogram of over 400.
    vr::audio_buffer sweep;
    for (int i = 0; i < 48000; ++i) {
        double t = i / 48000.0;
        float v = static_cast<float>(0.5 * std::sin(std::numbers::pi * 20000 * t * t));
        sweep.samples.insert(sweep.samples.end(), 2, v);
    }
    for (const auto& img : {vr::draw_waveform(sweep, 400, 64), vr::draw_spectrogram(sweep, 400, 128)}) {
        std::set<std::array<std::uint8_t, 3>> seen;
        for (std::size_t i = 0; i < img.pixels.size(); i += 3)
            seen.insert({img.pixels[i], img.pixels[i + 1], img.pixels[i + 2]});
        int depth = 0, palette = 0;
        EXPECT_EQ(decode_png(png.encode(img), depth, palette).pixels, img.pixels);
        EXPECT_EQ(palette, seen.size() <= 256 ? static_cast<int>(seen.size()) : 0) << seen.size() << " colours";
    }
    EXPECT_THROW(png.encode(vr::rgb_image{2, 2, std::vector<std::uint8_t>(11)}), vr::record_error);
}

TEST(Preview, WaveformOfSilenceIsAFlatLineAndALoudSineFillsTheHeight) {
    vr::audio_buffer silence = sine(440, 0, 4800);
    auto flat = vr::draw_waveform(silence, 40, 21);
    auto loud = vr::draw_waveform(sine(440, 0.99, 4800), 40, 21);
    EXPECT_EQ(brightness(flat, 20, 0), brightness(flat, 20, 5));  // background only
    EXPECT_NE(brightness(loud, 20, 0), brightness(flat, 20, 0));  // ink at the top
    EXPECT_NE(brightness(loud, 20, 20), brightness(flat, 20, 20));
    auto empty = vr::draw_waveform(vr::audio_buffer{}, 40, 21);
    EXPECT_EQ(empty.pixels.size(), 40u * 21 * 3);
}

TEST(Preview, SpectrogramPutsASineAtItsFrequency) {
    // 6 kHz at 48 kHz is a quarter of the way up from the bottom.
    auto img = vr::draw_spectrogram(sine(6000, 0.5, 48000), 32, 100);
    int x = 16, at = 100 - 1 - 25, far = 100 - 1 - 75;
    EXPECT_GT(brightness(img, x, at), brightness(img, x, far) + 200);
    EXPECT_GT(brightness(img, x, at), brightness(img, x, at - 10));
}

TEST(Preview, RefusesImageSizesOutOfRange) {
    EXPECT_THROW(vr::draw_waveform(sine(1, 1, 10), 0, 10), vr::record_error);
    EXPECT_THROW(vr::draw_spectrogram(sine(1, 1, 10), 10, 9000), vr::record_error);
}

TEST(Preview, PageHasOneEscapedRowPerRecordAndNoPlayerForErrors) {
    std::vector<vr::preview_row> rows(2);
    rows[0].record = vr::json::parse(R"({"preset_name":"<b>x</b>","status":"ok","peak_dbfs":-3.25,
                                         "params":[{"index":1,"name":"cut\"off","value":0.5,"text":"<i>"}]})");
    rows[0].audio_href = "../a.wav";
    rows[1].record = vr::json::parse(R"({"preset_name":"bad","status":"error",
                                         "error":{"tool":"render-one","message":"a < b"}})");
    std::string html = vr::render_preview_page(rows, {});
    auto count = [&](const std::string& s) {
        std::size_t n = 0;
        for (auto p = html.find(s); p != std::string::npos; p = html.find(s, p + 1)) ++n;
        return n;
    };
    EXPECT_EQ(count("<tr class=\"row\""), 2u);
    EXPECT_EQ(count("<audio "), 1u);
    EXPECT_EQ(count("<b>x"), 0u);
    EXPECT_EQ(count("&lt;b&gt;x&lt;/b&gt;"), 2u);  // the attribute and the cell
    EXPECT_EQ(count("render-one: a &lt; b"), 1u);
    EXPECT_EQ(count("cut&quot;off = 0.5 (&lt;i&gt;)"), 1u);
    EXPECT_EQ(count("data-peak=\"-3.250000\""), 1u);
    EXPECT_EQ(count("-3.2 dBFS"), 1u);
    EXPECT_EQ(html, vr::render_preview_page(rows, {}));
}

// How many times `needle` occurs in `text`.
std::size_t occurrences(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
    return n;
}

TEST(Preview, RowsShowNoteVelocityProgramAndTheOutputFile) {
    std::vector<vr::preview_row> rows(3);
    rows[0].record = vr::json::parse(R"({"preset_name":"p","note":60,"velocity":100,"program_index":3})");
    rows[0].output_file = "../audio/a <b>\".wav";
    rows[0].audio_href = "../audio/a%20%3Cb%3E%22.wav";
    rows[1].record = vr::json::parse(R"({"preset_name":"p","status":"error","note":"<sixty>"})");
    rows[1].output_file = "x.wav";
    rows[2].record = vr::json::parse(R"({"status":"skipped"})");
    std::string html = vr::render_preview_page(rows, {});
    EXPECT_EQ(occurrences(html, "data-note=\"60\" data-velocity=\"100\" data-program=\"3\" "
                                "data-file=\"../audio/a &lt;b&gt;&quot;.wav\""), 1u);
    EXPECT_EQ(occurrences(html, "<td class=\"num\">60</td><td class=\"num\">100</td><td class=\"num\">3</td>"
                                "<td class=\"file\"><a href=\"../audio/a%20%3Cb%3E%22.wav\"><span class=\"dir\">"
                                "../audio/</span>a &lt;b&gt;&quot;.wav</a></td>"), 1u);
    // A field of another type is shown escaped but not sorted on; no audio, no link.
    EXPECT_EQ(occurrences(html, "data-note=\"\" data-velocity=\"\" data-program=\"\" data-file=\"x.wav\""), 1u);
    EXPECT_EQ(occurrences(html, "<td class=\"num\">&lt;sixty&gt;</td><td class=\"num\"></td><td class=\"num\"></td>"
                                "<td class=\"file\">x.wav</td>"), 1u);
    EXPECT_EQ(occurrences(html, "data-file=\"\""), 1u);
    EXPECT_EQ(occurrences(html, "<sixty>"), 0u);
    for (const char* key : {"note", "velocity", "program", "file"})
        EXPECT_EQ(occurrences(html, std::string("<th data-key=\"") + key + "\">"), 1u) << key;
}

TEST(Preview, IndexNamesTheOutputFileRelativeToThePageAndChecksTheNewFields) {
    auto dir = std::filesystem::temp_directory_path() / ("vr-preview-file-test-" + std::to_string(::getpid()));
    vr::preview_index index({.out_dir = (dir / "page").string()});
    index.add(vr::json::parse(R"({"status":"error","error":{"tool":"t","message":"m"},"output_path":")" +
                              (dir / "audio" / "a.wav").string() + R"("})"));
    auto bad = index.add(vr::json::parse(R"({"status":"ok","note":"C4","output_path":"/nonexistent/b.wav"})"));
    EXPECT_EQ(bad["status"], "error");
    EXPECT_NE(bad["error"]["message"].get<std::string>().find("note"), std::string::npos);
    auto high = index.add(vr::json::parse(R"({"status":"ok","velocity":128,"output_path":"/nonexistent/b.wav"})"));
    EXPECT_NE(high["error"]["message"].get<std::string>().find("velocity"), std::string::npos);
    index.write_page();
    std::ifstream in(dir / "page" / "index.html");
    std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(occurrences(html, "data-file=\"../audio/a.wav\""), 1u);
    EXPECT_EQ(occurrences(html, "nonexistent/b.wav\" data-status=\"error\""), 2u);  // the failed ones name it too
    EXPECT_EQ(occurrences(html, "<span class=\"dir\">../audio/</span>a.wav</td>"), 1u);
    std::filesystem::remove_all(dir);
}

TEST(Preview, MissingAudioFailsTheRecordButKeepsTheRow) {
    auto dir = std::filesystem::temp_directory_path() / ("vr-preview-test-" + std::to_string(::getpid()));
    vr::preview_index index({.out_dir = dir.string()});
    auto out = index.add(vr::json::parse(R"({"preset_name":"p","status":"ok","output_path":"/nonexistent/a.wav"})"));
    EXPECT_EQ(out["status"], "error");
    EXPECT_NE(out["error"]["message"].get<std::string>().find("/nonexistent/a.wav"), std::string::npos);
    auto passed = index.add(vr::json::parse(R"({"status":"error","error":{"tool":"t","message":"m"}})"));
    EXPECT_EQ(passed["error"]["tool"], "t");
    EXPECT_EQ(index.rows(), 2u);
    index.write_page();
    EXPECT_TRUE(std::filesystem::is_regular_file(dir / "index.html"));
    std::filesystem::remove_all(dir);
}

}  // namespace
