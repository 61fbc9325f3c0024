// SPDX-License-Identifier: GPL-3.0-or-later
// Process supervision for render-one (DESIGN.md rule 8): jobs go one at a
// time, as JSON lines, to a worker process that keeps its plugins loaded; a
// worker that crashes, exits, hangs or grows costs the job in flight, is
// replaced, and the batch goes on. No JUCE here: the supervisor loads no
// plugin, so a fork of it is a clean start for a worker.
#pragma once
#include <sys/types.h>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/records.hpp"
#include "jobs/job.hpp"
#include "jobs/supervision.hpp"
#include "supervise/sandbox.hpp"
#include "supervise/supervise_worker.hpp"
#include "supervise/worker_handoff.hpp"

namespace vr {

// A job as the supervisor sees it.
struct supervised_job {
    json record;                // the job's record: kept here, never sent; the result is made of it
    json job;                   // the checked job (to_wire), all the worker is sent: it checks nothing again
    std::string output_path;    // temporaries of this file left by a killed worker are removed
    std::string output_root;    // ...looked for below it without following links (empty: none)
    vr::plugin_key plugin_key;  // jobs with one key share a plugin loaded in the worker
    sandbox_spec sandbox;       // the sandbox it needs (off: none); workers are kept apart by it
    std::string stems_dir;      // a song's stems folder: a killed worker's temporaries there go too
    // A plugin of the job runs in the worker (not a Windows build under
    // wine): a worker that dies loading it may want a display (display.hpp).
    bool display_may_help = false;
    // Its plugin needs a display (the probe cache says so): it gets one
    // before it loads.
    bool needs_display = false;
    // The plugin those two concern, when plugin_key does not name it
    // (plugin-scan's jobs share one key).
    std::string display_plugin;
    // It shows its plugin's editor (screenshot_path, editor_first): it is
    // sent the run's own Xvfb, even when DISPLAY is set, in a worker that
    // never had another display.
    bool shows_editor = false;
    // Its picture is taken before it is answered (a job rendered again
    // after its worker ended as it drew the picture).
    bool picture_whole = false;
};

// Runs in a new worker process (a fork of the supervisor), given the
// connection to the supervisor as fd 3; sets up (loads JUCE) and calls
// serve_jobs. Its return value is the worker's exit status.
using worker_main = std::function<int(int fd)>;

class supervisor {
public:
    // Starts no process yet: the first job does. Installs handlers for
    // SIGINT and SIGTERM (unless ignored) that kill the worker, remove the
    // temporary file of the job in flight and end this process by the same
    // signal; records written so far are whole lines already. The same
    // when the worker says such a signal from outside reached it (or its
    // job's child) first (interrupts::install_in_worker).
    supervisor(supervise_options options, worker_main main);
    // Lets the worker finish (SIGKILL after stop_grace_s); with
    // leave_worker_at_end, kills it and leaves it to reap_left_workers,
    // or keeps it when it is the worker offered (take_kept_worker).
    ~supervisor();
    supervisor(const supervisor&) = delete;
    supervisor& operator=(const supervisor&) = delete;

    // Renders one job in the worker and returns its final record with
    // attempts: job.record with the fields the worker answered put in
    // (put_answer), or with an error saying how the worker died or that it
    // ran out of time. job.record is moved into the result (left empty)
    // when run returns, and left as it was when run throws. A job whose
    // sandbox the worker's does not cover gets a new worker (whose sandbox
    // also covers the old one's jobs, when their output root is the same);
    // a sandboxed job's record says sandbox: true, or has an error when no
    // sandbox can be made here.
    // A job whose worker (or the worker's child describing a plugin) died
    // loading its plugin with no display is tried once more with one, when
    // it may help (display.hpp, may_want_display); a job of a plugin known
    // to need one gets it before it loads: its record then says
    // virtual_display: true. Later jobs of that plugin in the run get it too.
    json run(supervised_job& job);
    json run(supervised_job&& job) { return run(job); }

    // Pictures a worker draws after it answered their jobs (render-one(1),
    // "Editors and pictures"; supervise_worker.hpp's later_pictures): a
    // result of run with "picture_pending" (a number, another for each
    // such job of the run) waits for its picture; take_pictures gives those
    // that ended since it was last called: the fields to put in the record
    // (screenshot_width, screenshot_height), or the error it fails with. A
    // worker that dies or is killed before a picture ended ends it so.
    struct picture_end {
        long long ticket = 0;
        json fields;
        std::string error;          // empty: taken
        bool worker_ended = false;  // the worker ended as it drew it: not its plugin's doing alone
    };
    std::vector<picture_end> take_pictures() { return std::exchange(ended_, {}); }
    // Returns once every picture the worker draws has ended (it is killed
    // when it has not answered within finish_pictures_s).
    void finish_pictures();
    static constexpr double finish_pictures_s = 60;

    // Ends this process by the signal that came between jobs, if one did
    // (supervise_options::interrupt_deferred_while): the worker killed,
    // on_interrupt run. Returns when none came.
    void end_if_interrupted();

    // The worker's process id (also its process group), 0 when none runs.
    pid_t worker_pid() const noexcept { return pid_; }

private:
    enum class end { answered, crashed, timed_out, load_timed_out };
    end attempt(const supervised_job& job, json& result);
    struct waited;  // what waiting for a job's answer came to
    waited await_answer(const supervised_job& job);
    end classify(const supervised_job& job, const waited& w, json& result);
    void start_worker(const sandbox_spec& sandbox);
    // An answer's ended pictures, and its job's picture_pending numbered
    // for the run; the worker's pictures failed with why (it is gone).
    void note_pictures(json& answer, json& result);
    void fail_pictures(const std::string& why);
    // The display the job is sent (display_), for a job of a plugin that
    // needs one (supervise_display.cpp); and the one more try with a
    // display of a job whose plugin's load died (e: its end, kept or made
    // that of the try). False when it took no such try.
    void give_display_if_needed(const supervised_job& job);
    bool retry_on_display(const supervised_job& job, json& fields, end& e);
    void adopt_worker(pid_t pid, int fd);  // the worker pid, connected at fd
    bool worker_exited() const;
    bool wait_exit(double seconds) const;
    int kill_worker(bool term_first);
    void stop_worker();
    void leave_worker();  // killed, reaped by reap_left_workers (leave_worker_at_end)
    bool keep_worker();   // the offered worker kept for another run (take_kept_worker)
    supervise_options options_;
    worker_main main_;
    pid_t pid_ = 0;
    int fd_ = -1;
    bool offered_ = false;             // the worker is the one offered (offer_worker)
    bool in_flight_ = false;           // a job's answer not dealt with (a throw came between)
    std::string pending_;              // bytes read past the last answer
    int answers_ = 0;                  // jobs the worker has answered
    sandbox_spec sandbox_;             // the worker's sandbox (the last one's, when none runs)
    std::set<plugin_key> loaded_;            // plugins the worker has seen
    std::map<plugin_key, double> load_s_;    // plugin -> plugin_load_s last reported
    // Display (supervise_display.cpp): what the job in flight is sent as its
    // DISPLAY ("" none, own_display in a sandbox); the signal (or "" for an
    // exit) of a worker that died loading the job's plugin in the last
    // attempt (taken by retry_on_display); the plugins (by location) given
    // a display in this run.
    std::string display_;
    // The DISPLAY the worker running has set ("" its environment's): a job
    // that shows an editor on another goes to a new worker, since a plugin
    // may have connected to the display it had as it loaded.
    std::string worker_display_;
    bool display_tried_ = false;  // the job has had its one try with a display
    std::optional<std::string> load_death_;
    std::set<std::string> on_display_;
    // Pictures: the worker's number of each it draws -> its number in the
    // run; those ended, not taken yet.
    std::map<long long, long long> drawing_;
    long long next_ticket_ = 1;
    std::vector<picture_end> ended_;
};

}  // namespace vr
