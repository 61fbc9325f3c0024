// SPDX-License-Identifier: GPL-3.0-or-later
// The worker's side of supervision (supervise/supervise.hpp): job lines in,
// result lines out, on the connection to the supervisor.
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "core/records.hpp"

namespace vr {

// A worker's answer to one job.
struct worker_result {
    json record;           // the result record (ok or error)
    bool crashed = false;  // the plugin crashed in a child of the worker or the Windows worker: worth a retry
    // The child of the worker that loaded the plugin died as it loaded it
    // (plugin-scan's): as a worker's death would, it may want a display
    // (supervise/display.hpp).
    bool load_died = false;
};

// Called by the worker once a job's plugin is loaded and the job planned,
// with the most audio it can render (seconds): the job's own time limit,
// default_timeout_s(audio_s) unless given, starts then. Before it, the
// limit is the load allowance (a plugin not loaded in this worker yet) plus
// the given timeout or default_timeout_s(0).
using rendering_callback = std::function<void(double audio_s)>;

// The worker's side: renders one checked job (its to_wire form), writing
// the fields it adds to the job's record in record (empty when it comes
// from a supervisor), calling rendering() when the render begins (never,
// when the job fails before).
using worker_handler =
    std::function<worker_result(const json& job, json&& record, const rendering_callback& rendering)>;

// A worker's pictures still drawn after their jobs were answered
// (render-one(1), "Editors and pictures"; worker/picture_queue.hpp). A
// job's answer then has "picture_pending": a number in its record, and the
// picture's end comes with a later answer, in its "pictures" (each
// {"picture": number, "fields": {...}} or {"picture": number, "error":
// message}); a line {"pictures": "finish"} is answered, once every picture
// is drawn, with {"pictures": [...]} alone.
class later_pictures {
public:
    virtual ~later_pictures() = default;
    // Whether the job at work may be answered before its picture is taken
    // (set by serve_jobs for each job: its supervisor takes them so, but
    // for a job it sends with "picture_whole").
    virtual void answer_later(bool later) = 0;
    // Whether a picture is still drawn.
    virtual bool drawing() const = 0;
    // Runs their message loop for about seconds, reading their windows.
    virtual void run(double seconds) = 0;
    // The pictures ended since the last call, as an answer's "pictures".
    virtual json take_finished() = 0;
    // Returns once every picture has ended.
    virtual void finish() = 0;
};

// Puts the worker's end of the connection at fd 3, /dev/null on stdin, and
// closes every other descriptor (but keep, when given): the record stream
// above all, which must reach EOF downstream when the supervisor ends,
// whatever the worker does. In a worker process, before serve_jobs.
void arrange_worker_fds(int fd, int keep = -1);

// Answers job lines on fd with result lines until the supervisor closes it.
// A job line holds the checked job, and the display its plugin needs when
// it needs one (DISPLAY set for this process and what it starts, before
// the job: supervise/display.hpp's use_display); the handler's record starts empty
// and the answer holds the fields it added (the supervisor keeps the job's
// record and puts them in: put_answer), with worker_rss_mb, this process's
// RSS after the job.
// With pictures, its jobs' pictures are drawn while it waits for the next
// line, and answered as later_pictures says.
int serve_jobs(int fd, const worker_handler& handle, later_pictures* pictures = nullptr);

// The audio length of the worker's "the render begins" line (what serve_jobs
// writes for rendering()), or nothing when the line is the job's answer.
std::optional<double> rendering_audio_s(const std::string& line);

// Puts a worker's answer (the fields it added or changed) in the job's
// record: each replaces the record's own of that name, in its place, or
// comes after the record's fields. A field the worker adds to is answered
// whole (a chain's stages, each with what it rendered).
void put_answer(json& record, json&& fields);


}  // namespace vr
