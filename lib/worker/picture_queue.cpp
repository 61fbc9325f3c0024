// SPDX-License-Identifier: GPL-3.0-or-later
#include "worker/picture_queue.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.hpp"
#include "worker/editor_picture.hpp"

namespace vr::host {

namespace {

// How often the pictures' windows are read, in seconds of their loop (as
// capture_drawn reads one window).
constexpr double read_every_s = 0.005;

// A picture's error: the audio was written, and why the picture was not
// (a message that names screenshot_path already says the rest).
std::string failure(const record_error& e) {
    constexpr std::string_view field = "screenshot_path: ";
    const std::string what = e.what();
    return picture_error(what.rfind(field, 0) == 0 ? what.c_str() + field.size() : what.c_str());
}

}  // namespace

json picture_queue::start(const job_stage& stage, const render_job& job) {
    worker_slot& s = *stage.slot;
    // As many drawn as may be: the loop runs until one ends. Where the
    // windows' pixels cannot be kept apart, one at a time: a window under
    // another shows the other's.
    const std::size_t at_once = later_ && windows_apart() ? pictures_at_once : 1;
    while ((s.pictured.empty() && drawn_.size() >= at_once) || (at_once == 1 && !drawn_.empty())) run(0.001);
    picture_instance i;
    try {
        // A new instance's window shows as the loop runs, while the next
        // jobs render: its picture starts then (step_all). (A Windows
        // plugin's pictures are taken whole: its window waited for.)
        const bool grows = s.pictured.empty();
        const bool waits = !later_ || at_once == 1 || s.ref.windows;
        if (grows) {
            i = make_picture_instance(s, waits);
        } else {
            i = std::move(s.pictured.back());
            s.pictured.pop_back();
        }
        set_up_picture(i, stage);
        if (later_) {
            if (grows && !waits && !i.p->editor_shows_plugin()) return wait_for(std::move(i), s, job);
            if (auto drawing = i.p->start_editor_picture(editor_draw_s, at_once > 1, false)) {
                const long id = next_id_++;
                drawn_.push_back({id, &s, std::move(i), std::move(drawing), job.screenshot_path, job.output_root,
                                  at_once > 1});
                return json{{"picture_pending", id}};
            }
        }
        const rgb_image picture = i.p->editor_picture(editor_draw_s);
        s.pictured.push_back(std::move(i));
        return write_picture(picture, job.screenshot_path, job.output_root);
    } catch (const record_error& e) {
        // The instance is dropped: the next job makes another.
        throw record_error(failure(e));
    }
}

json picture_queue::wait_for(picture_instance i, worker_slot& s, const render_job& job) {
    const long id = next_id_++;
    drawn_.push_back({id, &s, std::move(i), nullptr, job.screenshot_path, job.output_root, true});
    return json{{"picture_pending", id}};
}

bool picture_queue::windows_apart() {
    if (!apart_ok_) {
        try {
            apart_ = std::make_unique<x11_view>();
            apart_ok_ = apart_->keep_windows_apart();
        } catch (const record_error&) {
            apart_ok_ = false;
        }
        if (!*apart_ok_) apart_.reset();
    }
    return *apart_ok_;
}

bool picture_queue::drawing_for(const worker_slot& s) const {
    for (const auto& d : drawn_)
        if (d.slot == &s) return true;
    return false;
}

void picture_queue::finish_slot(const worker_slot& s) {
    while (drawing_for(s)) run(read_every_s);
}

void picture_queue::run(double seconds) {
    if (drawn_.empty()) return;
    // What the loop ran is measured: a repaint may keep it past seconds.
    const auto t0 = std::chrono::steady_clock::now();
    run_editor_messages(seconds);
    since_step_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (since_step_ < read_every_s) return;
    step_all(std::exchange(since_step_, 0.0));
}

void picture_queue::step_all(double ran_s) {
    for (std::size_t k = 0; k < drawn_.size();) {
        in_progress& d = drawn_[k];
        json result;
        try {
            std::optional<rgb_image> picture;
            if (d.drawing) {
                if (d.drawing->step(ran_s)) picture = d.drawing->take();
            } else {
                // A new instance's window, not shown yet: its picture
                // starts once it shows, what it shows then a change (or
                // is taken whole then, where it cannot be in steps).
                d.shown_wait_s += ran_s;
                if (d.instance.p->editor_shows_plugin()) {
                    d.drawing = d.instance.p->start_editor_picture(editor_draw_s, d.kept_apart, true);
                    if (!d.drawing) picture = d.instance.p->editor_picture(editor_draw_s);
                } else if (d.shown_wait_s >= editor_show_timeout_s) {
                    throw record_error("the plugin's editor did not show its window within " +
                                       std::to_string(static_cast<int>(editor_show_timeout_s)) + " s");
                }
            }
            if (!picture) {
                ++k;
                continue;
            }
            result = json{{"fields", write_picture(*picture, d.path, d.output_root)}};
        } catch (const record_error& e) {
            result = json{{"error", failure(e)}};
        }
        end(d, std::move(result));
        drawn_.erase(drawn_.begin() + static_cast<std::ptrdiff_t>(k));
    }
}

void picture_queue::end(in_progress& d, json result) {
    result["picture"] = d.id;
    d.drawing.reset();
    // One that failed is dropped (its editor may be gone or hidden); one
    // that drew goes back to its plugin's free picture instances.
    if (!result.contains("error")) d.slot->pictured.push_back(std::move(d.instance));
    finished_.push_back(std::move(result));
}

json picture_queue::take_finished() { return std::exchange(finished_, json::array()); }

void picture_queue::finish() {
    while (!drawn_.empty()) run(read_every_s);
}

}  // namespace vr::host
