// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "core/error.hpp"
#include "core/memory.hpp"
#include "core/records.hpp"
#include "presets/detect.hpp"

namespace vr {

// Whole preset files larger than this are refused rather than read.
inline constexpr std::size_t max_preset_bytes = 256u << 20;

// What preset-scan reports about one preset file.
struct preset_summary {
    std::string format;                       // fxp fxb vstpreset serum2 dx7-sysex vital juce-xml
    std::string plugin_id;                    // fxID text, VST3 class id, "Serum2", "DX7", "Vital", or an XML root
    std::string name;                         // valid UTF-8
    std::optional<std::int32_t> program_count;  // banks only (a DX7 cartridge is one)
    std::vector<std::string> program_names;   // 'FxBk' banks and cartridges: one per program; else empty
    // What a format says of the preset (Vital's), each written only when set.
    std::optional<std::string> author, style, synth_version;
};

// Reads a preset file without ever blocking: refuses anything but a regular
// file, reads only the first bytes until they show a preset's magic (throws
// not_a_preset saying what the file looks like otherwise), then the rest, up
// to max_preset_bytes. Other failures throw record_error. Messages do not name
// the path.
read_bytes read_preset_file(const std::string& path);

// A file read as far as telling its kind needs: its first bytes, and the
// rest once read_preset_rest has run on a preset.
struct preset_head {
    preset_kind kind = preset_kind::none;
    read_bytes bytes;
    bool at_end = false;  // a read saw the end: bytes is the whole file
};

// Reads an open file from its start until its kind is settled by the magic
// (with `whole_head`: until sniff_size bytes or the end, all that
// describe_content looks at). Throws record_error ("cannot read: ...").
preset_head read_preset_head(int fd, bool whole_head);

// Reads the rest of a preset whose head has been read, as read_preset_file
// does: a file that is not regular, or over max_preset_bytes, is refused.
// `st` is the open file's stat. Throws record_error; messages do not name the
// path.
void read_preset_rest(int fd, const struct stat& st, preset_head& head);

// Parses and validates a whole preset (fxp, fxb, vstpreset, Serum 2, DX7
// SysEx, Vital, JUCE XML) and sums it up. `path` gives bank and VST3
// presets, and those that name none, their name (the file name without its
// extension). Throws format_error for a broken preset and not_a_preset for
// something else (a Serum 2 plugin state is not a preset).
preset_summary summarize_preset(std::span<const std::uint8_t> bytes, const std::string& path);

// The name of program `index` of a bank: its own for 'FxBk', "<bank name>
// #<index>" for an opaque 'FBCh' bank, which names no programs.
std::string program_name(const preset_summary& s, std::int32_t index);

// Sets preset_format, preset_plugin_id, preset_name, (banks) program_count
// and, where the format has them, preset_author, preset_style and
// preset_synth_version in record, keeping the place of fields already there.
void set_preset_fields(json& record, const preset_summary& s);

// How a scan chooses and reports files.
struct scan_options {
    bool by_extension = false;  // read only files named like presets
    bool expand_banks = false;  // one record per program of a bank
    // Read files in batches through io_uring where the kernel has it; false
    // reads them one by one (the reference path, for tests to compare).
    bool batched_reads = true;
};

// Writes the records of one summed-up preset: `record` with the preset
// fields, or with expand_banks one copy per program of a bank (program_index
// and that program's name).
void write_preset_records(json record, const preset_summary& s, bool expand_banks, record_writer& out);

// Records mode: adds the preset fields to a record with preset_path (others
// are written unchanged); honours program_index on a bank.
void describe_record(json&& record, const scan_options& options, record_writer& out);

}  // namespace vr
