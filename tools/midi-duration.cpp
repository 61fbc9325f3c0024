// SPDX-License-Identifier: GPL-3.0-or-later
// midi-duration: the length of Standard MIDI Files in seconds, tempo map applied.
#include <cstdio>
#include <string>
#include <unordered_map>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/records.hpp"
#include "core/tool.hpp"
#include "midi/midi.hpp"

namespace {

// Microsecond precision without trailing zeros, at least one decimal: "69.5",
// "4.0", "463.050198".
std::string format_seconds(double seconds) {
    char text[64];
    std::snprintf(text, sizeof text, "%.6f", seconds);
    std::string s = text;
    while (s.size() > 2 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
    return s;
}

// File operands: one number, or SECONDS<TAB>PATH lines when several. A file
// that fails is reported on stderr and the others are still measured.
int measure_files(const std::vector<std::string>& paths) {
    vr::line_writer out(1);
    bool failed = false;
    for (const auto& path : paths) {
        double seconds;
        try {
            seconds = vr::read_midi_file(path, vr::midi_keep::duration).duration_s;
        } catch (const vr::record_error& e) {
            vr::warn(e.what());
            failed = true;
            continue;
        }
        out.write_line(paths.size() == 1 ? format_seconds(seconds)
                                         : format_seconds(seconds) + "\t" + path);
    }
    return failed ? vr::exit_failed_records : vr::exit_ok;
}

// What reading one file gave: its duration, or why it failed (without the
// path, which each record names as it wrote it).
struct outcome {
    bool ok = false;
    double seconds = 0;
    std::string error;
};

// Records: adds midi_duration_s to each record with a midi_path, reading each
// distinct file once.
int measure_records() {
    std::unordered_map<std::string, outcome> cache;
    vr::record_writer out;
    return vr::for_each_record(0, out, [&](vr::json&& record, vr::record_writer& w) {
        auto path = vr::get_path(record, "midi_path");
        if (!path) {
            w.write(record);
            return;
        }
        std::string key = vr::absolute_path(*path);
        auto it = cache.find(key);
        if (it == cache.end()) {
            outcome o;
            try {
                o.seconds = vr::read_midi_file(key, vr::midi_keep::duration).duration_s;
                o.ok = true;
            } catch (const vr::record_error& e) {
                o.error = e.what();
                if (o.error.starts_with(key + ": ")) o.error.erase(0, key.size() + 2);
            }
            it = cache.emplace(key, std::move(o)).first;
        }
        if (!it->second.ok) throw vr::record_error(*path + ": " + it->second.error);
        record["midi_duration_s"] = it->second.seconds;
        w.write(record);
    });
}

int run(int argc, char** argv) {
    vr::cli cli("[FILE...] [< records]",
                "Print the length of Standard MIDI Files in seconds, or add midi_duration_s to records.");
    if (!cli.parse(argc, argv)) return 0;
    if (!cli.operands().empty()) return measure_files(cli.operands());
    return measure_records();
}

}  // namespace

int main(int argc, char** argv) { return vr::run_tool("midi-duration", argc, argv, run); }
