// SPDX-License-Identifier: GPL-3.0-or-later
#include "worker/preset_export.hpp"

#include <set>

#include "core/beneath.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "core/tool.hpp"
#include "host/plugin_instance.hpp"
#include "worker/worker_slot.hpp"
#include "paths/names.hpp"

namespace vr::host {

namespace {

// A program's name; plugins that name only their current program
// (amsynth under JUCE's VST2 host) are asked after selecting it.
std::string select_and_name(plugin_instance& p, int i) {
    p.select_program(i);
    std::string name = p.program_name(i);
    return name.empty() ? "program " + std::to_string(i) : name;
}

// JUCE's VST3 host passes a program change on with the next block: play one.
void settle(plugin_instance& p, int block_size) {
    play_plan quiet;
    quiet.frames = block_size;
    p.render(quiet, 2);
}

}  // namespace

void list_plugin_programs(const plugin_ref& plugin, int sample_rate, int block_size,
                          const std::function<void(json&&)>& emit) {
    auto p = load_instance(plugin, sample_rate, block_size);
    int n = p->program_count();
    // No records is a correct answer, but a silent one reads as a failure.
    if (n == 0) warn(plugin.location + ": the plugin has no programs of its own: nothing to list");
    for (int i = 0; i < n; ++i) {
        std::string name = p->program_name(i);
        // JUCE's VST2 host asks only for indexed names; plugins without them
        // (amsynth) name the current program only.
        if (name.empty() && p->current_program() != i) {
            p->select_program(i);
            name = p->program_name(i);
        }
        json r;
        r["plugin_path"] = plugin.location;
        r["program_index"] = i;
        r["preset_name"] = name;
        emit(std::move(r));
    }
}

void export_plugin_programs(const plugin_ref& plugin, int sample_rate, int block_size, const std::string& dir,
                            bool as_params, const std::function<void(json&&)>& emit) {
    auto p = load_instance(plugin, sample_rate, block_size);
    const bool vst3 = p->info().format == "vst3";
    if (p->info().format == "lv2") throw record_error("--export-programs writes VST2 and VST3 presets; this plugin is LV2");
    const std::string ext = vst3 ? ".vstpreset" : ".fxp";
    // DIR is the root of what is written: a link planted in it is refused, not followed.
    const beneath root(dir, true);
    std::set<std::string> taken;
    int n = p->program_count();
    if (n == 0) warn(plugin.location + ": the plugin has no programs of its own: nothing to export");
    for (int i = 0; i < n; ++i) {
        json r;
        r["plugin_path"] = plugin.location;
        r["program_index"] = i;
        try {
            std::string name = select_and_name(*p, i);
            if (vst3) settle(*p, block_size);
            std::string base = sanitize_component(name, 200);
            std::string file = base;
            for (int k = 2; !taken.insert(fold_key(file)).second; ++k) file = base + " " + std::to_string(k);
            std::string path = dir + "/" + file + ext;
            auto bytes = p->program_preset(as_params);
            root.write_file_atomic(path, bytes);
            r["preset_name"] = name;
            r["preset_path"] = path;
            r["preset_format"] = vst3 ? "vstpreset" : "fxp";
            r["preset_sha256"] = sha256_hex(bytes);
        } catch (const record_error& e) {
            set_error(r, e.what());
        }
        emit(std::move(r));
    }
}

void export_plugin_bank(const plugin_ref& plugin, int sample_rate, int block_size, const std::string& file,
                        const std::function<void(json&&)>& emit) {
    auto p = load_instance(plugin, sample_rate, block_size);
    auto bytes = p->bank_preset();
    write_file_atomic(file, bytes);
    json r;
    r["plugin_path"] = plugin.location;
    r["preset_path"] = file;
    r["preset_format"] = "fxb";
    r["program_count"] = p->program_count();
    r["preset_sha256"] = sha256_hex(bytes);
    emit(std::move(r));
}

}  // namespace vr::host
