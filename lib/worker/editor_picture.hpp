// SPDX-License-Identifier: GPL-3.0-or-later
// A job's use of its plugin's editor (render-one(1), "Editors and
// pictures"): made before anything loads (editor_first), shown to the user
// until closed once the job's preset and parameters are set (--edit), and
// its window's picture after the render (screenshot_path), written as the
// job's audio is (whole or not at all, below its output root).
#pragma once
#include "core/records.hpp"
#include "host/plugin_instance.hpp"
#include "jobs/job.hpp"
#include "worker/stage_render.hpp"
#include "worker/worker_slot.hpp"

namespace vr::host {

// How long a plugin has to show its editor's window once asked, and how
// long its message loop runs at most before the picture: an editor that
// draws on a timer has that long to draw what the job changed.
inline constexpr double editor_show_timeout_s = 10.0;
inline constexpr double editor_draw_s = 0.25;

// Before anything loads into the job's plugin: editor_first's editor
// shown; a job with a screenshot_path, or any job when edit (--edit), fails
// here, before its render, when the plugin has no editor. Nothing for other
// jobs.
void open_editor_first(plugin_instance& p, const render_job& job, bool edit);

// --edit, once the job's first stage is set up: its editor shown in a
// window with a title bar (on DISPLAY, the user's), waited for until the
// user closes it; then what the plugin holds is read (the stage's
// state_sha256 replaced, "edited": true) and written where save names.
void edit_until_closed(plugin_instance& p, const saved_files& save, json& stage_fields);

// editor_first's picture (screenshot_path): the open editor's window saved
// as a PNG there, the editor closed; the record's fields for it
// (screenshot_width, screenshot_height). Throws record_error saying that
// the audio was written and why the picture was not. Other jobs' editor
// (editor_first's without a picture) is closed, and nothing more.
json take_editor_picture(plugin_instance& p, const render_job& job);

// A job whose picture one of the slot's picture instances draws
// (worker_slot::pictured, worker/picture_queue.hpp): one with a
// screenshot_path, without editor_first or --edit (edit). Its audio renders
// as the plugin's other jobs' does.
bool draws_on_picture_instance(const render_job& job, bool edit);

// A picture instance of the slot's: loaded, its editor opened on the run's
// display and kept; a plugin with no editor, or (wait_shown) one that does
// not show it within editor_show_timeout_s, throws record_error. Without
// wait_shown, it returns once the window is made (the editor's
// editor_shows_plugin says when it shows).
picture_instance make_picture_instance(worker_slot& s, bool wait_shown = true);

// Before such a job's render: the slot's picture instances that can no
// longer be called dropped, and one made when it has none and none is
// drawing (drawing): a plugin with no editor fails the job here.
void ready_picture_instance(worker_slot& s, bool drawing);

// After its render: the picture instance given back the state and program
// it was made with (a new one made when it will not go back), then the
// stage's program, preset, state and parameters, and one silent block (an
// LV2 plugin takes its control ports' values as it runs). Its editor then
// draws the job's picture (worker/picture_queue.hpp).
void set_up_picture(picture_instance& i, const job_stage& stage);

// The message of a job's error when its picture was not taken: the audio
// was written, and why the picture was not.
std::string picture_error(const char* why);

// A picture as a PNG at path (below output_root unless empty), whole or
// not at all; the record's fields for it (screenshot_width,
// screenshot_height). Throws record_error with picture_error's message.
json write_picture(const rgb_image& picture, const std::string& path, const std::string& output_root);

}  // namespace vr::host
