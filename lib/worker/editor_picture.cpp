// SPDX-License-Identifier: GPL-3.0-or-later
#include "worker/editor_picture.hpp"

#include <cstdint>
#include <span>

#include "core/beneath.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "presets/load.hpp"
#include "preview/png.hpp"
#include "worker/worker_slot.hpp"

namespace vr::host {

namespace {

[[noreturn]] void picture_not_taken(const char* why) {
    throw record_error(std::string("screenshot_path: the audio was written but its picture was not: ") + why);
}

// The picture as a PNG at the job's screenshot_path, whole or not at all;
// the record's fields for it.
json write_picture(const rgb_image& picture, const render_job& job) {
    const std::vector<std::uint8_t> png = encode_png(picture);
    const std::span<const std::uint8_t> bytes(png.data(), png.size());
    try {
        if (job.output_root.empty())
            write_file_atomic(job.screenshot_path, bytes);
        else
            beneath(job.output_root, true).write_file_atomic(job.screenshot_path, bytes);
    } catch (const record_error& e) {
        picture_not_taken(e.what());
    }
    return json{{"screenshot_width", picture.width}, {"screenshot_height", picture.height}};
}

}  // namespace

void open_editor_first(plugin_instance& p, const render_job& job, bool edit) {
    if (edit && !job.screenshot_path.empty())
        throw record_error("screenshot_path: --edit shows the editor on your display, a picture is drawn on the "
                           "run's own: not both");
    if (edit && !p.has_editor()) throw record_error("edit: the plugin has no editor");
    if (!job.editor_first) return;
    try {
        p.open_editor(edit, editor_show_timeout_s);
    } catch (const record_error& e) {
        throw record_error(std::string("editor_first: ") + e.what());
    }
}

void edit_until_closed(plugin_instance& p, const saved_files& save, json& stage_fields) {
    try {
        p.open_editor(true, editor_show_timeout_s);
        p.run_editor_until_closed();
    } catch (const record_error& e) {
        p.close_editor();
        throw record_error(std::string("edit: ") + e.what());
    }
    save_what_it_holds(p, save, stage_fields);
    stage_fields["edited"] = true;
}

json take_editor_picture(plugin_instance& p, const render_job& job) {
    if (job.screenshot_path.empty() || !job.editor_first) {
        p.close_editor();
        return json::object();
    }
    rgb_image picture;
    try {
        picture = p.editor_picture(editor_draw_s);
    } catch (const record_error& e) {
        p.close_editor();
        picture_not_taken(e.what());
    }
    p.close_editor();
    return write_picture(picture, job);
}

bool draws_on_picture_instance(const render_job& job, bool edit) {
    return !job.screenshot_path.empty() && !job.editor_first && !edit;
}

void ready_picture_instance(worker_slot& s) {
    if (s.pictured && s.pictured->usable()) return;
    s.pictured.reset();
    instance_ptr p = s.load_warm();
    if (!p->has_editor()) throw record_error("screenshot_path: the plugin has no editor");
    s.pictured_state = p->state();
    s.pictured_program = p->current_program();
    s.pictured_params = p->param_values();
    try {
        p->open_editor(false, editor_show_timeout_s);
    } catch (const record_error& e) {
        throw record_error(std::string("screenshot_path: ") + e.what());
    }
    s.pictured = std::move(p);
}

namespace {

// The picture instance as it was made: its program and its parameters'
// values, and its state when the job before loaded a preset or state
// (pictured_loaded): a job that only picked a program or set parameters
// is undone without reading the state (a large one for some plugins).
void give_back_start(worker_slot& s) {
    plugin_instance& p = *s.pictured;
    if (p.program_count() > 0 && p.current_program() != s.pictured_program) p.select_program(s.pictured_program);
    const std::vector<float> now = p.param_values();
    for (std::size_t i = 0; i < now.size() && i < s.pictured_params.size(); ++i)
        if (now[i] != s.pictured_params[i]) p.set_parameter(std::to_string(i), s.pictured_params[i]);
    if (s.pictured_loaded && !s.pictured_state.empty())
        p.apply_preset(raw_state(s.pictured_state, "(the picture instance's first)", "state"));
    s.pictured_loaded = false;
}

}  // namespace

json take_job_picture(const job_stage& stage, const render_job& job) {
    worker_slot& s = *stage.slot;
    rgb_image picture;
    try {
        if (!s.pictured) throw record_error("no editor is open");
        // What the jobs before gave it, taken back: the job's settings
        // alone, as on the instance its audio came from. A plugin that
        // will not go back gets a new picture instance.
        try {
            give_back_start(s);
        } catch (const host_died&) {
            throw;  // no new instance in a host that is gone
        } catch (const record_error&) {
            s.pictured.reset();
            ready_picture_instance(s);
        }
        plugin_instance& p = *s.pictured;
        s.pictured_loaded = stage.loads();
        // Its fields are not kept: as an untouched stage's, they spare the
        // state's reading and hashing.
        setup_stage(p, stage, true);
        // An LV2 plugin takes its control ports' values as it runs.
        s.play_block(p);
        picture = p.editor_picture(editor_draw_s);
    } catch (const record_error& e) {
        s.pictured.reset();
        picture_not_taken(e.what());
    }
    return write_picture(picture, job);
}

}  // namespace vr::host
