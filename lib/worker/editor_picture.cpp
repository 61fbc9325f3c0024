// SPDX-License-Identifier: GPL-3.0-or-later
#include "worker/editor_picture.hpp"

#include <cstdint>
#include <span>

#include "core/beneath.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "preview/png.hpp"

namespace vr::host {

void open_editor_first(plugin_instance& p, const render_job& job, bool edit) {
    if (edit && !job.screenshot_path.empty())
        throw record_error("screenshot_path: --edit shows the editor on your display, a picture is drawn on the "
                           "run's own: not both");
    if (edit && !p.has_editor()) throw record_error("edit: the plugin has no editor");
    if (!job.screenshot_path.empty() && !job.editor_first && !p.has_editor())
        throw record_error("screenshot_path: the plugin has no editor");
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
    if (job.screenshot_path.empty()) {
        p.close_editor();
        return json::object();
    }
    rgb_image picture;
    try {
        p.open_editor(false, editor_show_timeout_s);
        picture = p.editor_picture(editor_draw_s);
    } catch (const record_error& e) {
        p.close_editor();
        throw record_error(std::string("screenshot_path: the audio was written but its picture was not: ") + e.what());
    }
    p.close_editor();
    const std::vector<std::uint8_t> png = encode_png(picture);
    const std::span<const std::uint8_t> bytes(png.data(), png.size());
    try {
        if (job.output_root.empty())
            write_file_atomic(job.screenshot_path, bytes);
        else
            beneath(job.output_root, true).write_file_atomic(job.screenshot_path, bytes);
    } catch (const record_error& e) {
        throw record_error(std::string("screenshot_path: the audio was written but its picture was not: ") +
                           e.what());
    }
    return json{{"screenshot_width", picture.width}, {"screenshot_height", picture.height}};
}

}  // namespace vr::host
