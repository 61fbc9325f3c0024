// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for the preset parsers: every fixture of the fxp, vstpreset and
// serum2 INDEX files, the writers' round trips, and broken files.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/files.hpp"
#include "presets/detect.hpp"
#include "presets/fxp.hpp"
#include "presets/scan.hpp"
#include "presets/vstpreset.hpp"
#include "presets_fixtures.hpp"

namespace {

using namespace preset_tests;

std::string format_error_of(const byte_vector& b) {
    return error_message<vr::format_error>([&] { vr::parse_fx(b); });
}

// The same bytes except for the byteSize fields (at `at` + 4), which real writers fill in differently.
void expect_same_but_byte_size(const byte_vector& a, const byte_vector& b, std::vector<std::size_t> at) {
    ASSERT_EQ(a.size(), b.size());
    byte_vector x = a, y = b;
    for (std::size_t o : at)
        for (std::size_t i = o + 4; i < o + 8; ++i) x[i] = y[i] = 0;
    EXPECT_TRUE(x == y);
}

TEST(Fxp, EveryFixtureMatchesItsIndexRowAndRoundTrips) {
    auto rows = index_rows("fxp");
    ASSERT_GE(rows.size(), 20u);
    for (const auto& r : rows) {
        SCOPED_TRACE(r.at("path"));
        auto bytes = load("fxp", r.at("path"));
        ASSERT_EQ(std::to_string(bytes.size()), r.at("size"));
        vr::fx_file f = vr::parse_fx(bytes);
        EXPECT_EQ(vr::fx_magic(f.kind), r.at("fxMagic"));
        EXPECT_EQ(f.trailing_bytes, 0u);
        if (f.is_bank()) {
            EXPECT_EQ(vr::fx_id_text(f.bank.fx_id), r.at("fxID"));
            EXPECT_EQ(std::to_string(f.bank.fx_version), r.at("fxVersion"));
            EXPECT_EQ(std::to_string(f.bank.version), r.at("version"));
            EXPECT_EQ(std::to_string(f.bank.num_programs), r.at("numPrograms"));
            if (f.bank.opaque) {
                EXPECT_EQ(std::to_string(f.bank.chunk.size()), r.at("chunkSize"));
                EXPECT_EQ(f.bank.chunk_offset, 160u);
                expect_same_but_byte_size(vr::write_fxb(f.bank), bytes, {0});
            } else {
                ASSERT_EQ(f.bank.programs.size(), static_cast<std::size_t>(f.bank.num_programs));
                std::vector<std::size_t> at{0};
                for (const auto& p : f.bank.programs) {
                    EXPECT_EQ(static_cast<std::size_t>(p.num_params), p.params.size());
                    EXPECT_EQ(std::to_string(p.num_params), r.at("numParams"));
                    at.push_back(p.offset);
                }
                expect_same_but_byte_size(vr::write_fxb(f.bank), bytes, at);
            }
        } else {
            const auto& p = f.program;
            EXPECT_EQ(vr::fx_id_text(p.fx_id), r.at("fxID"));
            EXPECT_EQ(std::to_string(p.fx_version), r.at("fxVersion"));
            EXPECT_EQ(std::to_string(p.version), r.at("version"));
            EXPECT_EQ(std::to_string(p.num_params), r.at("numParams"));
            EXPECT_EQ(vr::fx_name_utf8(p.name), r.at("name"));
            if (p.opaque) {
                EXPECT_EQ(std::to_string(p.chunk.size()), r.at("chunkSize"));
                EXPECT_EQ(p.chunk_offset, 60u);
            } else {
                EXPECT_EQ(p.params.size(), static_cast<std::size_t>(p.num_params));
            }
            expect_same_but_byte_size(vr::write_fxp(p), bytes, {0});
        }
    }
}

TEST(Fxp, ReadsParameterValuesAndBankPrograms) {
    auto harp = vr::parse_fx(load("fxp", "ardour2fxp/MDAx_Harp_FxCk.fxp"));
    ASSERT_EQ(harp.program.params.size(), 16u);
    for (float v : harp.program.params) {
        EXPECT_GE(v, 0.0f);
        EXPECT_LE(v, 1.0f);
    }
    auto bank = vr::parse_fx(load("fxp", "ardour2fxp/MDAx.fxb"));
    ASSERT_EQ(bank.bank.programs.size(), 64u);
    EXPECT_EQ(bank.bank.programs[0].name, "5th Sweep Pad");
    EXPECT_EQ(bank.bank.programs[0].params[0], 1.0f);
    EXPECT_EQ(bank.bank.programs[1].offset, 156u + 56 + 24 * 4);
    EXPECT_FALSE(bank.bank.current_program.has_value());  // version 1 has none
}

TEST(Fxp, WritesPresetsAndVersion2BanksThatParseBack) {
    vr::fx_program p;
    p.fx_id = vr::fx_id_from("Abcd");
    p.fx_version = 7;
    p.name = "Exactly twenty-eight bytes!!";  // fills the field: no NUL
    p.params = {0.0f, 0.25f, 1.0f};
    auto bytes = vr::write_fxp(p);
    ASSERT_EQ(bytes.size(), 56u + 12);
    EXPECT_EQ(bytes[7], 68 - 8);  // nominal byteSize
    auto back = vr::parse_fx(bytes);
    EXPECT_EQ(back.kind, vr::fx_kind::params_preset);
    EXPECT_EQ(back.program.name, p.name);
    EXPECT_EQ(back.program.params, p.params);
    EXPECT_EQ(vr::fx_id_text(back.program.fx_id), "Abcd");

    vr::fx_program q = p;
    q.opaque = true;
    q.params.clear();
    const byte_vector blob{1, 2, 3, 4, 5};
    q.chunk = blob;
    auto q_bytes = vr::write_fxp(q);  // parse_fx's views point into it: keep it alive
    auto qb = vr::parse_fx(q_bytes);
    EXPECT_EQ(qb.kind, vr::fx_kind::chunk_preset);
    EXPECT_TRUE(std::equal(qb.program.chunk.begin(), qb.program.chunk.end(), blob.begin(), blob.end()));

    vr::fx_bank b;
    b.version = 2;
    b.fx_id = vr::fx_id_from("Bank");
    b.current_program = 1;
    b.programs = {p, p};
    b.programs[1].name = "second";
    auto b_bytes = vr::write_fxb(b);
    auto bb = vr::parse_fx(b_bytes);
    EXPECT_EQ(bb.kind, vr::fx_kind::params_bank);
    EXPECT_EQ(bb.bank.current_program, 1);
    EXPECT_EQ(bb.bank.programs[1].name, "second");

    vr::fx_bank ob;
    ob.opaque = true;
    ob.version = 2;
    ob.num_programs = 3;
    ob.current_program = 2;
    ob.chunk = blob;
    auto ob_bytes = vr::write_fxb(ob);
    auto obb = vr::parse_fx(ob_bytes);
    EXPECT_EQ(obb.kind, vr::fx_kind::chunk_bank);
    EXPECT_EQ(obb.bank.num_programs, 3);
    EXPECT_EQ(obb.bank.current_program, 2);
    EXPECT_EQ(obb.bank.chunk.size(), 5u);

    vr::fx_program long_name = p;
    long_name.name = std::string(29, 'x');
    EXPECT_THROW(vr::write_fxp(long_name), vr::format_error);
    b.programs[0].opaque = true;
    EXPECT_THROW(vr::write_fxb(b), vr::format_error);
}

TEST(Fxp, ShowsIdsAsFourCharactersOrHex) {
    EXPECT_EQ(vr::fx_id_text(vr::fx_id_from("Obxd")), "Obxd");
    EXPECT_EQ(vr::fx_id_text(1), "0x00000001");
    EXPECT_EQ(vr::fx_id_text(0x41424380), "0x41424380");
}

TEST(Fxp, TurnsNamesIntoUtf8) {
    EXPECT_EQ(vr::fx_name_utf8("Plain"), "Plain");
    EXPECT_EQ(vr::fx_name_utf8("Caf\xC3\xA9"), "Caf\xC3\xA9");             // UTF-8 stays
    EXPECT_EQ(vr::fx_name_utf8("Caf\xE9"), "Caf\xC3\xA9");                 // Latin-1 e-acute
    EXPECT_EQ(vr::fx_name_utf8("A\x96" "B"), "A\xE2\x80\x93" "B");         // Windows en dash
    EXPECT_EQ(vr::fx_name_utf8("\x81"), "\xC2\x81");                       // undefined in 1252
    std::string cut = std::string(26, 'a') + "\xE2\x80";                   // 28 bytes, cut in a character
    EXPECT_EQ(vr::fx_name_utf8(cut), std::string(26, 'a'));
}

TEST(Fxp, RefusesEveryTruncation) {
    for (const char* rel : {"MrsWatson/again-test.fxp", "ardour2fxp/MDAx_Harp_FxCk.fxp",
                            "ardour2fxp/OXFM_Kick_FPCh.fxp", "ardour2fxp/MDAx.fxb"}) {
        auto bytes = load("fxp", rel);
        std::size_t step = bytes.size() > 1000 ? 37 : 1;
        for (std::size_t n = 0; n < bytes.size(); n += step) {
            byte_vector cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
            EXPECT_THROW(vr::parse_fx(cut), vr::format_error) << rel << " cut to " << n;
        }
    }
}

TEST(Fxp, RefusesBrokenFieldsNamingTheByte) {
    auto harp = load("fxp", "ardour2fxp/MDAx_Harp_FxCk.fxp");
    auto b = harp;
    b[24] = 0xFF;  // numParams negative
    EXPECT_EQ(format_error_of(b), "negative numParams -16777200 at byte 24");
    b = harp;
    b[27] = 17;  // one value more than the file holds
    EXPECT_NE(format_error_of(b).find("numParams 17 at byte 24 needs 68 bytes"), std::string::npos);
    b = harp;
    b[8] = 'X';
    EXPECT_NE(format_error_of(b).find("unknown fxMagic 'XxCk' at byte 8"), std::string::npos);
    b = harp;
    b[56] = 0x7F, b[57] = 0xC0;  // NaN
    EXPECT_EQ(format_error_of(b), "parameter 0 at byte 56 is not a finite number");
    b = harp;
    b[0] = 'c';
    EXPECT_NE(format_error_of(b).find("not an fxp/fxb preset (no 'CcnK' at byte 0)"), std::string::npos);
    EXPECT_NE(format_error_of({}).find("an empty file"), std::string::npos);
    b = harp;
    b.push_back(0);  // trailing bytes are tolerated
    EXPECT_EQ(vr::parse_fx(b).trailing_bytes, 1u);

    auto kick = load("fxp", "ardour2fxp/OXFM_Kick_FPCh.fxp");
    b = kick;
    b[58] = 0x03;  // chunkSize past the end
    EXPECT_NE(format_error_of(b).find("chunkSize 964 at byte 56 is past the end"), std::string::npos);
    b = kick;
    b[56] = 0x80;
    EXPECT_NE(format_error_of(b).find("negative chunkSize"), std::string::npos);

    auto bank = load("fxp", "ardour2fxp/MDAx.fxb");
    b = bank;
    b[25] = 0x10;  // numPrograms 0x100040
    EXPECT_NE(format_error_of(b).find("numPrograms 1048640 at byte 24 cannot fit"), std::string::npos);
    b = bank;
    b[156 + 8] = 'Q';  // the first program is not FxCk
    EXPECT_NE(format_error_of(b).find("program 0 of the bank: expected 'FxCk' at byte 164"),
              std::string::npos);
    auto obxd = load("fxp", "DISTRHO-Ports-obxd/002 - KVR Bass.fxb");
    b = obxd;
    b[24] = 0x7F;
    EXPECT_NE(format_error_of(b).find("is absurd"), std::string::npos);
}

}  // namespace
