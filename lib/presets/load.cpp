// SPDX-License-Identifier: GPL-3.0-or-later
#include "presets/load.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "presets/detect.hpp"
#include "presets/dx7_sysex.hpp"
#include "presets/fxp.hpp"
#include "presets/juce_state.hpp"
#include "presets/juce_xml_preset.hpp"
#include "presets/serum.hpp"
#include "presets/sysex_file.hpp"
#include "presets/vital.hpp"
#include "presets/vstpreset.hpp"

namespace vr {

namespace {

// Presets above this size are taken as something else (banks of big chunks
// run to a few MiB).
constexpr std::size_t max_preset_bytes = 256u << 20;

std::vector<float> to_vector(const std::vector<float>& v) { return v; }

void from_fx(loaded_preset& p, std::span<const std::uint8_t> bytes, std::optional<int> program_index) {
    fx_file f = parse_fx(bytes);
    p.format = fx_format(f.kind);
    if (!f.is_bank()) {
        p.plugin_id = fx_id_text(f.program.fx_id);
        p.name = fx_name_utf8(f.program.name);
        if (f.program.opaque) {
            p.payload = preset_payload::fx_chunk;
            p.chunk.assign(f.program.chunk.begin(), f.program.chunk.end());
            p.bytes = write_fxp(f.program);
        } else {
            p.payload = preset_payload::params;
            p.params = to_vector(f.program.params);
        }
        return;
    }
    const fx_bank& b = f.bank;
    p.plugin_id = fx_id_text(b.fx_id);
    int count = b.num_programs;
    int index = program_index.value_or(b.current_program.value_or(0));
    if (index < 0 || index >= count)
        throw record_error("program_index " + std::to_string(index) + " is out of range: the bank has " +
                           std::to_string(count) + " programs");
    p.program = index;
    if (b.opaque) {
        p.payload = preset_payload::fx_chunk;
        p.bank = true;
        p.chunk.assign(b.chunk.begin(), b.chunk.end());
        p.bytes = write_fxb(b);
        return;
    }
    const fx_program& prog = b.programs.at(static_cast<std::size_t>(index));
    p.name = fx_name_utf8(prog.name);
    if (prog.opaque) throw record_error("program " + std::to_string(index) + " of the bank is a chunk inside a parameter bank");
    p.payload = preset_payload::params;
    p.params = to_vector(prog.params);
}

void from_vstpreset(loaded_preset& p, std::span<const std::uint8_t> bytes) {
    vst3_preset v = parse_vstpreset(bytes);
    p.format = "vstpreset";
    p.plugin_id = v.class_id;
    vst3_state s;
    auto comp = v.component();
    s.component.assign(comp.begin(), comp.end());
    if (auto cont = v.controller()) s.controller.emplace(cont->begin(), cont->end());
    p.payload = preset_payload::vst3_state;
    p.bytes = make_vst3_state_blob(s);
}

void from_serum(loaded_preset& p, std::span<const std::uint8_t> bytes) {
    serum_state s = convert_serum_preset(bytes, serum_limits{}, processor_markers{});
    p.format = "serum2";
    p.plugin_id = "Serum2";
    p.payload = preset_payload::vst3_state;
    p.bytes = std::move(s.blob);
}

// A .SerumPreset is an XferJson envelope whose header names no component
// (Serum's own states say "component": "processor"): as a state, Serum 2
// takes it for something it cannot read and plays its init patch.
bool serum_preset_bytes(std::span<const std::uint8_t> bytes) {
    try {
        return !parse_xfer_envelope(bytes).meta.contains("component");
    } catch (const record_error&) {
        return false;  // not an envelope, or a broken one: the plugin judges it
    }
}

// A preset whose file is the plugin's own state, checked whole first: a
// Vital preset (Vital saves and loads its state as the preset's JSON); a
// JUCE XML preset, handed over as the binary XML the plugin's own state is
// (juce_binary_xml). The record's preset_sha256 stays the file's. Such a
// file names no plugin id a host can check (preset-scan's
// preset_plugin_id, "Vital" or the root element, is a key for -p): the
// plugin judges it, and a state it ignores or refuses fails the job.
void from_own_state(loaded_preset& p, std::vector<std::uint8_t>&& bytes, preset_kind kind) {
    const std::string sha256 = p.sha256;
    if (kind == preset_kind::vital) {
        read_vital_preset(bytes);
        p = raw_state(std::move(bytes), p.path, "vital");
    } else {
        read_juce_xml_preset(bytes);
        const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        p = raw_state(juce_binary_xml(text), p.path, "juce-xml");
    }
    p.sha256 = sha256;
}

// A DX7 voice: the dump of the file that holds it, sent as it is, then for
// a cartridge the program change (channel 1) that selects it, as a DX7 and
// Dexed take them. The record's preset name is the voice's.
void from_dx7(loaded_preset& p, std::span<const std::uint8_t> bytes, std::optional<int> program_index) {
    const dx7_file file = parse_dx7_sysex(bytes);
    const std::size_t voice = static_cast<std::size_t>(program_index.value_or(0));
    if (voice >= file.voice_names.size())
        throw record_error("program_index " + std::to_string(voice) + ": the file holds " +
                           std::to_string(file.voice_names.size()) + " DX7 voices (0-" +
                           std::to_string(file.voice_names.size() - 1) + ")");
    std::size_t first = 0;
    for (const dx7_dump& d : file.dumps) {
        const std::size_t n = d.bulk ? 32 : 1;
        if (voice < first + n) {
            const auto dump = bytes.subspan(d.offset, d.bulk ? dx7_bulk_bytes : dx7_voice_bytes);
            p.messages.emplace_back(dump.begin(), dump.end());
            std::vector<std::uint8_t> other(dump.begin(), dump.end());
            // The name's last character: data byte 127 of the voice's 128, or 154 of 155.
            std::uint8_t& c = other[6 + (d.bulk ? (voice - first) * 128 + 127 : 154)];
            c = c == '_' ? '-' : '_';
            other[other.size() - 2] = dx7_checksum(std::span(other).subspan(6, other.size() - 8));
            p.check_messages.push_back(std::move(other));
            if (d.bulk) {
                p.program = static_cast<int>(voice - first);
                p.messages.push_back({0xc0, static_cast<std::uint8_t>(voice - first)});
                p.check_messages.push_back(p.messages.back());
            }
            break;
        }
        first += n;
    }
    p.name = file.voice_names[voice];
    p.format = "dx7-sysex";
    p.payload = preset_payload::sysex;
}

}  // namespace

loaded_preset load_preset(const std::string& path, std::optional<int> program_index) {
    loaded_preset p;
    p.path = path;
    auto bytes = read_file(path, max_preset_bytes);
    p.sha256 = sha256_hex(bytes);
    try {
        std::span<const std::uint8_t> head(bytes.data(), std::min(bytes.size(), sniff_size));
        const preset_kind kind = sniff_preset_any(head);
        switch (kind) {
            case preset_kind::fx: from_fx(p, bytes, program_index); break;
            case preset_kind::vstpreset: from_vstpreset(p, bytes); break;
            case preset_kind::serum2: from_serum(p, bytes); break;
            case preset_kind::vital:
            case preset_kind::juce_xml: from_own_state(p, std::move(bytes), kind); break;
            case preset_kind::dx7_sysex: from_dx7(p, bytes, program_index); break;
            case preset_kind::none:
                throw record_error(
                    "not a preset render-one can load (.fxp, .fxb, .vstpreset, .SerumPreset, .vital, JUCE XML, DX7 .syx): " +
                    describe_content(head));
        }
    } catch (const record_error& e) {
        throw record_error("preset " + path + ": " + e.what());
    }
    return p;
}

loaded_preset raw_state(std::vector<std::uint8_t> bytes, const std::string& path, const std::string& format) {
    // An empty state would be handed over as "no change": the job would
    // render the default sound as if it had loaded something.
    if (bytes.empty()) throw record_error("state " + path + ": an empty file");
    loaded_preset p;
    p.path = path;
    p.sha256 = sha256_hex(bytes);
    p.format = format;
    p.payload = preset_payload::raw_state;
    p.bytes = std::move(bytes);
    return p;
}

loaded_preset load_sysex(const std::string& path) {
    loaded_preset p;
    p.path = path;
    const auto bytes = read_file(path, sysex_max_file_bytes);
    p.sha256 = sha256_hex(bytes);
    try {
        p.messages = parse_sysex_file(bytes);
    } catch (const record_error& e) {
        throw record_error("sysex " + path + ": " + e.what());
    }
    p.format = "sysex";
    p.payload = preset_payload::sysex;
    return p;
}

loaded_preset load_state(const std::string& path) {
    loaded_preset p = raw_state(read_file(path, max_preset_bytes), path, "state");
    std::span<const std::uint8_t> head(p.bytes.data(), std::min(p.bytes.size(), sniff_size));
    try {
        // JUCE's VST3 blob and a JUCE plugin's own binary XML (<tal>,
        // <dexedState>) share the container: the root element tells.
        if (is_juce_vst3_state(p.bytes)) {
            parse_vst3_state_blob(p.bytes);
            p.payload = preset_payload::vst3_state;
        } else if (sniff_preset(head) == preset_kind::fx) {
            // JUCE saves a VST2 plugin's state as an .fxb (or .fxp).
            auto bytes = std::move(p.bytes);
            from_fx(p, bytes, std::nullopt);
            p.format = "state";
            p.plugin_id.clear();
            if (p.bank) p.program.reset();  // the chunk holds the current program
        } else if (serum_preset_bytes(p.bytes)) {
            p.warning = "a Serum preset, not the processor's state: give it as --preset";
        }
    } catch (const record_error& e) {
        throw record_error("state " + path + ": " + e.what());
    }
    return p;
}

}  // namespace vr
