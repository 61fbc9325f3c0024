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

[[noreturn]] void picture_not_taken(const char* why) { throw record_error(picture_error(why)); }

}  // namespace

std::string picture_error(const char* why) {
    return std::string("screenshot_path: the audio was written but its picture was not: ") + why;
}

json write_picture(const rgb_image& picture, const std::string& path, const std::string& output_root) {
    const std::vector<std::uint8_t> png = encode_png(picture);
    const std::span<const std::uint8_t> bytes(png.data(), png.size());
    try {
        if (output_root.empty())
            write_file_atomic(path, bytes);
        else
            beneath(output_root, true).write_file_atomic(path, bytes);
    } catch (const record_error& e) {
        picture_not_taken(e.what());
    }
    return json{{"screenshot_width", picture.width}, {"screenshot_height", picture.height}};
}

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
    return write_picture(picture, job.screenshot_path, job.output_root);
}

bool draws_on_picture_instance(const render_job& job, bool edit) {
    return !job.screenshot_path.empty() && !job.editor_first && !edit;
}

picture_instance make_picture_instance(worker_slot& s, bool wait_shown) {
    picture_instance i;
    i.p = s.load_warm();
    if (!i.p->has_editor()) throw record_error("screenshot_path: the plugin has no editor");
    i.state = i.p->state();
    i.program = i.p->current_program();
    i.params = i.p->param_values();
    try {
        i.p->open_editor(false, wait_shown ? editor_show_timeout_s : -1);
    } catch (const record_error& e) {
        throw record_error(std::string("screenshot_path: ") + e.what());
    }
    return i;
}

void ready_picture_instance(worker_slot& s, bool drawing) {
    std::erase_if(s.pictured, [](const picture_instance& i) { return !i.p->usable(); });
    if (s.pictured.empty() && !drawing) s.pictured.push_back(make_picture_instance(s));
}

namespace {

// The picture instance as it was made: its program and its parameters'
// values, and its state when the job before loaded a preset or state
// (loaded): a job that only picked a program or set parameters is undone
// without reading the state (a large one for some plugins).
void give_back_start(picture_instance& i) {
    plugin_instance& p = *i.p;
    if (p.program_count() > 0 && p.current_program() != i.program) p.select_program(i.program);
    const std::vector<float> now = p.param_values();
    for (std::size_t k = 0; k < now.size() && k < i.params.size(); ++k)
        if (now[k] != i.params[k]) p.set_parameter(std::to_string(k), i.params[k]);
    if (i.loaded && !i.state.empty()) p.apply_preset(raw_state(i.state, "(the picture instance's first)", "state"));
    i.loaded = false;
}

}  // namespace

void set_up_picture(picture_instance& i, const job_stage& stage) {
    worker_slot& s = *stage.slot;
    // What the jobs before gave it, taken back: the job's settings alone,
    // as on the instance its audio came from. A plugin that will not go
    // back gets a new picture instance.
    try {
        give_back_start(i);
    } catch (const host_died&) {
        throw;  // no new instance in a host that is gone
    } catch (const record_error&) {
        i = make_picture_instance(s);
    }
    i.loaded = stage.loads();
    // Its fields are not kept: as an untouched stage's, they spare the
    // state's reading and hashing.
    setup_stage(*i.p, stage, true);
    // An LV2 plugin takes its control ports' values as it runs.
    s.play_block(*i.p);
}

}  // namespace vr::host
