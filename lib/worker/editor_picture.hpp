// SPDX-License-Identifier: GPL-3.0-or-later
// A job's use of its plugin's editor (render-one(1), "Editors and
// pictures"): made before anything loads (editor_first), and its window's
// picture after the render (screenshot_path), written as the job's audio
// is (whole or not at all, below its output root).
#pragma once
#include "core/records.hpp"
#include "host/plugin_instance.hpp"
#include "jobs/job.hpp"

namespace vr::host {

// How long a plugin has to show its editor's window once asked, and how
// long its message loop then runs before the picture: an editor that
// draws on a timer has that long to draw what the job changed.
inline constexpr double editor_show_timeout_s = 10.0;
inline constexpr double editor_draw_s = 0.25;

// Before anything loads into the job's plugin: editor_first's editor
// shown; a job with a screenshot_path fails here, before its render, when
// the plugin has no editor. Nothing for other jobs.
void open_editor_first(plugin_instance& p, const render_job& job);

// screenshot_path: the editor's window (opened now when it is not) saved
// as a PNG there, the editor closed; the record's fields for it
// (screenshot_width, screenshot_height). Throws record_error saying that
// the audio was written and why the picture was not. Nothing for other
// jobs, whose editor (editor_first) is closed.
json take_editor_picture(plugin_instance& p, const render_job& job);

}  // namespace vr::host
