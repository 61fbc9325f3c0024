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

// A job whose picture the slot's picture instance draws (worker_slot::
// pictured): one with a screenshot_path, without editor_first or --edit
// (edit). Its audio renders as the plugin's other jobs' does.
bool draws_on_picture_instance(const render_job& job, bool edit);

// Before such a job's render: the slot's picture instance made, once a
// worker, its editor opened on the run's display and kept; a plugin with
// no editor, or one that never shows it, fails the job here.
void ready_picture_instance(worker_slot& s);

// After its render: the picture instance given back the state and program
// it was made with, then the stage's program, preset, state and
// parameters (and one silent block: an LV2 plugin takes its control ports'
// values as it runs), its editor's window saved as a PNG at the job's
// screenshot_path once drawn (plugin_instance::editor_picture); the
// record's fields for it. Throws record_error saying that the audio was
// written and why the picture was not (the picture instance is dropped:
// the next job makes another).
json take_job_picture(const job_stage& stage, const render_job& job);

}  // namespace vr::host
