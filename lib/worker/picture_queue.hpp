// SPDX-License-Identifier: GPL-3.0-or-later
// A worker's jobs' pictures drawn while its next jobs render (render-one(1),
// "Editors and pictures"). A picture is mostly a wait for the editor to
// draw what its job set and to hold still; several are waited for at once,
// each on a picture instance of its own, by the one message loop of the
// process, which runs while the worker waits: for a forked render's child,
// for the next job, for a picture instance to come free. A job is answered
// before its picture is taken; the picture's fields, or why it was not
// taken, follow with a later answer (supervise/supervise_worker.hpp).
#pragma once
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>

#include "core/records.hpp"
#include "jobs/job.hpp"
#include "linux/x11_window.hpp"
#include "supervise/supervise_worker.hpp"
#include "worker/stage_render.hpp"
#include "worker/worker_slot.hpp"

namespace vr::host {

// How many pictures are drawn at once, at most: each on an instance of its
// own. A picture takes about 70 ms of its message loop (an editor's
// repaint timer, then editor_still_s of stillness); a forked job of the
// test synth about 20 ms.
inline constexpr std::size_t pictures_at_once = 8;

class picture_queue final : public later_pictures {
public:
    // Takes the job's picture on one of its plugin's picture instances
    // (worker/editor_picture.hpp's take_job_picture, once the audio is
    // written): its record's fields when it was taken whole (jobs are
    // answered once their picture is taken, or the plugin's pictures are
    // only taken whole: a Windows plugin's), else {"picture_pending": id}
    // and the picture drawn as the loop runs. Throws record_error as
    // take_job_picture does.
    json start(const job_stage& stage, const render_job& job);

    // Whether a picture of the slot's is being drawn: it has an editor.
    bool drawing_for(const worker_slot& s) const;

    // Every picture drawn to its end; those of a slot about to go first.
    void finish_slot(const worker_slot& s);

    void answer_later(bool later) override { later_ = later; }
    bool drawing() const override { return !drawn_.empty(); }
    void run(double seconds) override;
    json take_finished() override;
    void finish() override;

private:
    // A picture drawn: on a new picture instance, drawing starts once its
    // editor's window shows (null until then; shown_wait_s of the loop so
    // far).
    struct in_progress {
        long id;
        worker_slot* slot;
        picture_instance instance;
        std::unique_ptr<editor_drawing> drawing;
        std::string path, output_root;
        bool kept_apart = false;
        double shown_wait_s = 0;
    };
    void step_all(double ran_s);
    // The job's picture once the new instance i's window shows.
    json wait_for(picture_instance i, worker_slot& s, const render_job& job);
    void end(in_progress& d, json result);
    // Whether pictures may be drawn at once here: their windows' pixels
    // kept apart (x11_view::keep_windows_apart), on a connection kept open.
    bool windows_apart();
    std::unique_ptr<x11_view> apart_;
    std::optional<bool> apart_ok_;
    bool later_ = false;
    long next_id_ = 1;
    double since_step_ = 0;  // the loop's seconds since the pictures were last read
    std::deque<in_progress> drawn_;
    json finished_ = json::array();
};

}  // namespace vr::host
