// SPDX-License-Identifier: GPL-3.0-or-later
#include <cstring>
#include <span>

#include "core/error.hpp"
#include "presets/detect.hpp"
#include "presets/fxp.hpp"
#include "targets.hpp"

namespace {

// Floats compared by their bits: a value must survive the round trip exactly.
bool same_floats(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() &&
           (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

bool same_bytes(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

bool same_program(const vr::fx_program& a, const vr::fx_program& b) {
    return a.opaque == b.opaque && a.version == b.version && a.fx_id == b.fx_id &&
           a.fx_version == b.fx_version && a.name == b.name && a.num_params == b.num_params &&
           same_floats(a.params, b.params) && same_bytes(a.chunk, b.chunk);
}

void sniff(std::span<const std::uint8_t> bytes) {
    auto head = bytes.first(std::min(bytes.size(), vr::sniff_size));
    vr::preset_kind kind = vr::sniff_preset(head);
    vr_fuzz_require(vr::preset_kind_text(kind) != nullptr);
    vr_fuzz_require(!vr::describe_content(head).empty());
}

}  // namespace

void vr_fuzz_fxp(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> bytes(data, size);
    sniff(bytes);
    vr::fx_file f;
    try {
        f = vr::parse_fx(bytes);
    } catch (const vr::record_error&) {
        return;
    }
    // A parse never reads past the input, and every view points into it.
    auto inside = [&](std::span<const std::uint8_t> s) {
        return s.empty() || (s.data() >= data && s.data() + s.size() <= data + size);
    };
    vr_fuzz_require(vr::sniff_preset(bytes.first(std::min(size, vr::sniff_size))) == vr::preset_kind::fx);
    vr_fuzz_require(!vr::fx_name_utf8(f.program.name).empty() || f.program.name.empty());
    vr_fuzz_require(f.trailing_bytes <= size);

    std::vector<std::uint8_t> again;
    try {
        again = f.is_bank() ? vr::write_fxb(f.bank) : vr::write_fxp(f.program);
    } catch (const vr::format_error&) {
        return;  // data the format cannot hold again (say, a chunk of 2 GiB)
    }
    vr::fx_file g = vr::parse_fx(again);  // what we wrote must parse
    vr_fuzz_require(g.kind == f.kind && g.trailing_bytes == 0);
    if (!f.is_bank()) {
        vr_fuzz_require(inside(f.program.chunk));
        vr_fuzz_require(same_program(f.program, g.program));
        return;
    }
    const vr::fx_bank &a = f.bank, &b = g.bank;
    vr_fuzz_require(inside(a.chunk));
    vr_fuzz_require(a.opaque == b.opaque && a.version == b.version && a.fx_id == b.fx_id &&
            a.fx_version == b.fx_version && a.num_programs == b.num_programs &&
            same_bytes(a.chunk, b.chunk) && a.programs.size() == b.programs.size());
    // An unset current program is written as 0, which reads back as 0 when
    // the bank has a program 0.
    if (a.current_program) vr_fuzz_require(b.current_program == a.current_program);
    else vr_fuzz_require(!b.current_program || *b.current_program == 0);
    for (std::size_t i = 0; i < a.programs.size(); ++i) {
        vr_fuzz_require(inside(a.programs[i].chunk));
        vr_fuzz_require(same_program(a.programs[i], b.programs[i]));
    }
}
