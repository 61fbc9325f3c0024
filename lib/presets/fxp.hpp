// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vr {

// The four kinds of VST2 preset file, by their fxMagic at byte 8.
enum class fx_kind {
    params_preset,  // 'FxCk': a program as parameter values (.fxp)
    chunk_preset,   // 'FPCh': a program as an opaque chunk (.fxp)
    params_bank,    // 'FxBk': a bank of 'FxCk' programs (.fxb)
    chunk_bank,     // 'FBCh': a bank as one opaque chunk (.fxb)
};

// One program: a whole .fxp, or one entry of an 'FxBk' bank.
struct fx_program {
    bool opaque = false;             // 'FPCh' (chunk) rather than 'FxCk' (params)
    std::int32_t version = 1;        // the format version field
    std::uint32_t fx_id = 0;         // the plugin's unique id
    std::int32_t fx_version = 1;     // the plugin's version
    std::string name;                // raw bytes of the 28-byte name, cut at the first NUL
    std::int32_t num_params = 0;     // 'FxCk': params.size(); 'FPCh': as declared
    std::vector<float> params;       // 'FxCk': the values, all finite
    std::span<const std::uint8_t> chunk;  // 'FPCh': the chunk (a view into the input)
    std::size_t offset = 0;          // where the program starts in the file
    std::size_t chunk_offset = 0;    // 'FPCh': where the chunk starts
};

// A bank (.fxb).
struct fx_bank {
    bool opaque = false;             // 'FBCh' (chunk) rather than 'FxBk' (programs)
    std::int32_t version = 1;        // 1, or 2 and later with a current program
    std::uint32_t fx_id = 0;         // the bank's plugin id (its programs may carry another)
    std::int32_t fx_version = 1;
    std::int32_t num_programs = 0;   // 'FxBk': programs.size(); 'FBCh': as declared
    // Version 2 and later: the declared current program, kept only when it
    // names one of the bank's programs (out-of-range values are ignored).
    std::optional<std::int32_t> current_program;
    std::vector<fx_program> programs;     // 'FxBk'
    std::span<const std::uint8_t> chunk;  // 'FBCh' (a view into the input)
    std::size_t chunk_offset = 0;
};

// A parsed .fxp or .fxb file. Views point into the buffer given to parse_fx.
struct fx_file {
    fx_kind kind = fx_kind::params_preset;
    std::uint32_t byte_size_field = 0;  // as written; real files put 0, size or size-8 there
    fx_program program;                 // kinds params_preset and chunk_preset
    fx_bank bank;                       // kinds params_bank and chunk_bank
    std::size_t trailing_bytes = 0;     // bytes after the end of the data, tolerated
    bool is_bank() const noexcept {
        return kind == fx_kind::params_bank || kind == fx_kind::chunk_bank;
    }
};

// Banks of 'FBCh' kind declare a program count nothing can check; above this
// count the declaration is taken as corrupt.
inline constexpr std::int32_t max_opaque_bank_programs = 65536;

// Parses and validates a whole .fxp/.fxb file. Trusts the buffer's length,
// not byteSize; tolerates trailing bytes. Throws format_error with the byte
// offset for a bad magic, truncation, negative or oversized counts and sizes,
// or a non-finite parameter value.
fx_file parse_fx(std::span<const std::uint8_t> bytes);

// The fxMagic of a kind: "FxCk", "FPCh", "FxBk" or "FBCh".
const char* fx_magic(fx_kind kind);

// "fxp" for the preset kinds, "fxb" for the banks.
const char* fx_format(fx_kind kind);

// An fxID as four characters when all four are printable ASCII, else
// "0x" and eight upper-case hex digits.
std::string fx_id_text(std::uint32_t id);

// The four characters of an id as a big-endian number (for tests and writers).
std::uint32_t fx_id_from(std::string_view four_chars);

// A program name as valid UTF-8: kept as is when it is UTF-8 (a multi-byte
// character cut by the 28-byte limit is dropped), else decoded as
// Windows-1252 (Latin-1 with the printable 0x80-0x9F characters of Windows).
std::string fx_name_utf8(std::string_view raw);

// Serialises a program as a .fxp: 'FPCh' with its chunk when opaque, else
// 'FxCk' with its params (num_params is taken from params.size()). byteSize
// is written as the nominal file size - 8. Throws format_error for a name
// over 28 bytes or data too large for the format.
std::vector<std::uint8_t> write_fxp(const fx_program& program);

// Serialises a bank as a .fxb: 'FBCh' with its chunk when opaque, else
// 'FxBk' with each program written as 'FxCk'. Version 2 writes
// current_program (0 when unset). Throws format_error as write_fxp does, and
// for an opaque program inside a parameter bank.
std::vector<std::uint8_t> write_fxb(const fx_bank& bank);

}  // namespace vr
