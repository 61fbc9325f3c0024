// SPDX-License-Identifier: GPL-3.0-or-later
// Reading and summing up one preset file, and the records made from it.
#include "presets/scan.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

#include "core/files.hpp"
#include "core/handles.hpp"
#include "core/text.hpp"
#include "presets/detect.hpp"
#include "presets/dx7_sysex.hpp"
#include "presets/fxp.hpp"
#include "presets/juce_xml_preset.hpp"
#include "presets/serum.hpp"
#include "presets/vital.hpp"
#include "presets/vstpreset.hpp"

namespace vr {

namespace {

std::string errno_text(const char* doing) { return std::string(doing) + ": " + std::strerror(errno); }

// Reads the rest of a file that fstat said holds `size_hint` bytes, asking
// for one byte more so that a growing file shows. A read that stops short
// exactly at that size is taken as the end, which spares the read that would
// return 0 (a regular file reads short only at its end).
void read_to_end(int fd, read_bytes& bytes, std::uint64_t size_hint) {
    for (;;) {
        std::size_t got = bytes.size();
        std::size_t want = got < size_hint ? static_cast<std::size_t>(size_hint) + 1 : got + 65536;
        want = std::min(want, max_preset_bytes + 1);
        bytes.resize(want);
        ssize_t n = ::read(fd, bytes.data() + got, want - got);
        if (n < 0) {
            bytes.resize(got);
            if (errno == EINTR) continue;
            throw record_error(errno_text("cannot read"));
        }
        bytes.resize(got + static_cast<std::size_t>(n));
        if (n == 0) return;
        if (bytes.size() > max_preset_bytes)
            throw record_error("grew past the limit of " + std::to_string(max_preset_bytes) +
                               " bytes while being read");
        if (bytes.size() == size_hint && static_cast<std::size_t>(n) < want - got) return;
    }
}

std::string file_stem(const std::string& path) {
    auto slash = path.rfind('/');
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    auto dot = name.rfind('.');
    if (dot != std::string::npos && dot > 0) name.resize(dot);
    return name;
}

preset_summary summarize_fx(std::span<const std::uint8_t> bytes, const std::string& path) {
    fx_file f = parse_fx(bytes);
    preset_summary s;
    s.format = fx_format(f.kind);
    if (!f.is_bank()) {
        s.plugin_id = fx_id_text(f.program.fx_id);
        s.name = fx_name_utf8(f.program.name);
        return s;
    }
    s.plugin_id = fx_id_text(f.bank.fx_id);
    s.name = file_stem(path);
    s.program_count = f.bank.num_programs;
    for (const auto& p : f.bank.programs) s.program_names.push_back(fx_name_utf8(p.name));
    return s;
}

preset_summary summarize_serum(std::span<const std::uint8_t> bytes, const std::string& path) {
    xfer_envelope env = parse_xfer_envelope(bytes);
    if (auto c = env.meta.find("component"); c != env.meta.end())
        throw not_a_preset("a Serum 2 plugin state (component " +
                           printable_excerpt(c->dump(-1, ' ', false, json::error_handler_t::replace)) +
                           ")");
    // The frame is checked whole but not inflated, so that a scan stays cheap;
    // the tools that inflate it check what it holds.
    zstd_check_frame(env.payload, static_cast<std::size_t>(env.payload.data() - bytes.data()));
    preset_summary s;
    s.format = "serum2";
    s.plugin_id = "Serum2";
    auto n = env.meta.find("presetName");
    s.name = n != env.meta.end() && n->is_string() && !n->get_ref<const std::string&>().empty()
                 ? n->get<std::string>()
                 : file_stem(path);
    return s;
}

// A summary of `format` for `plugin_id`, named `name`, or after its file
// when that is empty.
preset_summary summary(const char* format, std::string plugin_id, const std::string& name, const std::string& path) {
    preset_summary s;
    s.format = format;
    s.plugin_id = std::move(plugin_id);
    s.name = name.empty() ? file_stem(path) : name;
    return s;
}

// A cartridge (or several voices) is a bank of voices; a file of one voice
// is a preset named by its voice.
preset_summary summarize_dx7(std::span<const std::uint8_t> bytes, const std::string& path) {
    dx7_file f = parse_dx7_sysex(bytes);
    bool one = f.voice_names.size() == 1;
    preset_summary s = summary("dx7-sysex", "DX7", one ? f.voice_names[0] : "", path);
    if (one) return s;
    s.program_count = static_cast<std::int32_t>(f.voice_names.size());
    s.program_names = std::move(f.voice_names);
    return s;
}

preset_summary summarize_vital(std::span<const std::uint8_t> bytes, const std::string& path) {
    vital_preset v = read_vital_preset(bytes);
    preset_summary s = summary("vital", "Vital", v.name, path);
    if (!v.author.empty()) s.author = v.author;
    if (!v.style.empty()) s.style = v.style;
    s.synth_version = v.synth_version;
    return s;
}

preset_summary summarize_juce_xml(std::span<const std::uint8_t> bytes, const std::string& path) {
    juce_xml_preset x = read_juce_xml_preset(bytes);
    return summary("juce-xml", x.root, x.name, path);
}

}  // namespace

preset_head read_preset_head(int fd, bool whole_head) {
    preset_head head;
    auto& bytes = head.bytes;
    bytes.resize(sniff_size);
    std::size_t got = 0;
    while (got < sniff_size) {
        ssize_t n = ::read(fd, bytes.data() + got, sniff_size - got);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw record_error(errno_text("cannot read"));
        }
        if (n == 0) {
            head.at_end = true;
            break;
        }
        got += static_cast<std::size_t>(n);
        if (!whole_head && sniff_settled({bytes.data(), got})) break;
    }
    bytes.resize(got);
    head.kind = sniff_preset_any(bytes);
    return head;
}

void read_preset_rest(int fd, const struct stat& st, preset_head& head) {
    if (!S_ISREG(st.st_mode)) throw record_error(std::string(file_kind(st.st_mode)) + ", not a file");
    if (static_cast<std::uint64_t>(st.st_size) > max_preset_bytes)
        throw record_error(std::to_string(st.st_size) + " bytes, over the limit of " +
                           std::to_string(max_preset_bytes) + " for a preset");
    if (!head.at_end) read_to_end(fd, head.bytes, static_cast<std::uint64_t>(st.st_size));
    head.at_end = true;
}

read_bytes read_preset_file(const std::string& path) {
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fd) throw record_error(errno_text("cannot open"));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw record_error(errno_text("cannot stat"));
    if (!S_ISREG(st.st_mode)) throw record_error(std::string(file_kind(st.st_mode)) + ", not a file");
    preset_head head = read_preset_head(fd.get(), true);
    if (head.kind == preset_kind::none) throw not_a_preset(describe_content(head.bytes));
    read_preset_rest(fd.get(), st, head);
    return std::move(head.bytes);
}

preset_summary summarize_preset(std::span<const std::uint8_t> bytes, const std::string& path) {
    switch (sniff_preset_any(bytes.first(std::min(bytes.size(), sniff_size)))) {
        case preset_kind::fx: return summarize_fx(bytes, path);
        case preset_kind::vstpreset: {
            vst3_preset p = parse_vstpreset(bytes);
            return {"vstpreset", p.class_id, file_stem(path), std::nullopt, {}};
        }
        case preset_kind::serum2: return summarize_serum(bytes, path);
        case preset_kind::dx7_sysex: return summarize_dx7(bytes, path);
        case preset_kind::vital: return summarize_vital(bytes, path);
        case preset_kind::juce_xml: return summarize_juce_xml(bytes, path);
        case preset_kind::none: break;
    }
    throw not_a_preset(describe_content(bytes.first(std::min(bytes.size(), sniff_size))));
}

std::string program_name(const preset_summary& s, std::int32_t index) {
    if (index >= 0 && static_cast<std::size_t>(index) < s.program_names.size())
        return s.program_names[static_cast<std::size_t>(index)];
    return s.name + " #" + std::to_string(index);
}

void set_preset_fields(json& record, const preset_summary& s) {
    record["preset_format"] = s.format;
    record["preset_plugin_id"] = s.plugin_id;
    record["preset_name"] = s.name;
    if (s.program_count) record["program_count"] = *s.program_count;
    if (s.author) record["preset_author"] = *s.author;
    if (s.style) record["preset_style"] = *s.style;
    if (s.synth_version) record["preset_synth_version"] = *s.synth_version;
}

void write_preset_records(json record, const preset_summary& s, bool expand_banks, record_writer& out) {
    set_preset_fields(record, s);
    // An empty bank still gets its record rather than vanishing from the scan.
    if (!expand_banks || !s.program_count || *s.program_count == 0) {
        out.write(record);
        return;
    }
    for (std::int32_t i = 0; i < *s.program_count; ++i) {
        json r = record;
        r["preset_name"] = program_name(s, i);
        r["program_index"] = i;
        out.write(r);
    }
}

void describe_record(json&& record, const scan_options& options, record_writer& out) {
    auto path = get_path(record, "preset_path");
    if (!path) {
        out.write(record);
        return;
    }
    std::string where = printable_excerpt(*path, 4096) + ": ";
    preset_summary s;
    try {
        auto bytes = read_preset_file(*path);
        s = summarize_preset(bytes, *path);
    } catch (const not_a_preset& e) {
        throw record_error(where + e.what() + ", not a preset");
    } catch (const record_error& e) {
        throw record_error(where + e.what());
    }
    // program_index means a program of the bank only for a bank; render-one
    // checks it against the plugin's own programs otherwise.
    auto index = s.program_count && !options.expand_banks
                     ? get_integer(record, "program_index", 0, INT32_MAX)
                     : std::nullopt;
    if (index) {
        if (*index >= *s.program_count)
            throw record_error(where + "program_index " + std::to_string(*index) + " is past the bank's " +
                               std::to_string(*s.program_count) + " programs");
        set_preset_fields(record, s);
        record["preset_name"] = program_name(s, static_cast<std::int32_t>(*index));
        out.write(record);
        return;
    }
    write_preset_records(std::move(record), s, options.expand_banks, out);
}

}  // namespace vr
