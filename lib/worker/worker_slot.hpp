// SPDX-License-Identifier: GPL-3.0-or-later
// One plugin as a render worker holds it (per sample rate and block size):
// its first, never-played instance, the one reset mode plays in place, what
// the records say of it, and the probe that picks how its jobs are kept
// apart (DESIGN.md rule 5).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "host/plugin_instance.hpp"
#include "jobs/job.hpp"
#include "worker/warm_up.hpp"

namespace vr::wine {
class windows_host;
}

namespace vr::host {

// How a plugin's jobs get a state that does not depend on earlier jobs.
enum class isolation {
    reset,  // the plugin's reset restores it: render in place
    fork,   // a forked child renders from the never-played instance
    fresh,  // a new instance per job (the plugin misbehaves under fork)
    // A Windows plugin's new instance per job in a Windows worker of the
    // slot's own, put back first as it was when the plugin's module had
    // loaded (windows/module_restore.hpp): its instances share state in
    // the module's globals, which a new process would start without.
    restore,
    // A Windows plugin's new instance in a Windows worker of its own per
    // job: its instances share something within a process (there is no
    // fork under wine).
    process,
};

const char* to_string(isolation i);

// A probe child (or check) that has not answered in this long is taken as hung.
constexpr double probe_timeout_s = 60.0;

// Destroys an instance, first letting the plugin's own threads finish when
// wait is set (linux/settle.hpp): a thread still working for the instance
// would use freed memory (padthv1).
struct settling_delete {
    bool wait = false;
    void operator()(plugin_instance* p) const noexcept;
};
using instance_ptr = std::unique_ptr<plugin_instance, settling_delete>;

// An instance a plugin's jobs' pictures are drawn by (screenshot_path
// without editor_first: worker/editor_picture.hpp), its editor kept open
// on the run's display, and its state, program and parameter values as it
// was made, given back before each job's (the state only after a job that
// loaded a preset or state: loaded).
struct picture_instance {
    instance_ptr p;
    std::vector<std::uint8_t> state;
    int program = 0;
    std::vector<float> params;
    bool loaded = false;
};

// Which Windows worker a Windows plugin's instance is made in: the
// prefix's shared one, one of its own (isolation process), or the one kept
// in `kept` (started there when there is none), put back first as its
// plugin was loaded (isolation restore).
enum class windows_worker { shared, own, restored };

// An instance of any plugin: hosted here through JUCE, or a Windows build
// in the Windows worker under wine (where says which).
std::unique_ptr<plugin_instance> load_instance(const plugin_ref& ref, int sample_rate, int block_size,
                                               bool quick = false, bool sidechain = false,
                                               windows_worker where = windows_worker::shared,
                                               std::shared_ptr<wine::windows_host>* kept = nullptr);

struct worker_slot {
    plugin_ref ref;
    int sample_rate = 0;
    int block_size = 0;
    bool sidechain = false;  // its instances have their sidechain bus on
    std::string failure;  // why the plugin would not load: every job that needs it fails so
    // The failure was the death of the process that hosted the plugin
    // (core/error.hpp's host_died: the Windows worker), killed by
    // failure_signal where one killed it: a job that meets it fails as
    // one whose host died (a retry in a new worker, error.signal).
    bool failure_died = false;
    std::string failure_signal;
    plugin_info info;
    double load_s = 0;
    isolation mode = isolation::fresh;
    int initial_program = 0;
    // Threads the slot's first instance started worked while it warmed up
    // (padthv1 builds its wave tables on one; JUCE's own threads, in every
    // plugin built with it, stay idle): instances settle (a silent block,
    // then a wait until the threads rest) after loading, before each job's
    // notes, and before they go, and a job that changes the plugin never
    // forks. Other plugins do none of it: their audio stays as it was.
    bool own_threads = false;
    bool threads_known = false;  // own_threads was measured (or inherited)
    std::string default_state_sha256;  // the never-played instance's state
    // SHA-256 of its parameter names in index order, each followed by a
    // newline: the layout of the param_values of every job it renders.
    std::string param_names_sha256;
    std::optional<std::string> binary_sha256;  // of the plugin's code, read once
    // The instance reset mode plays in place, and the never-played one a
    // forked child renders from (kept whenever forking works: jobs that
    // change parameters start from it in every mode).
    instance_ptr played;
    instance_ptr pristine;
    // The instances its jobs' pictures are drawn by that draw none now
    // (worker/picture_queue.hpp holds the others while they draw).
    std::vector<picture_instance> pictured;
    // The Windows worker of isolation restore's instances.
    std::shared_ptr<wine::windows_host> restoring_host;
    bool probed = false;
    // What the probe tried, in order, for --explain-probe and the probe
    // cache's verdict: one object per way (way, then same, or the first
    // differing frame and channel and the largest difference, or the error
    // that stopped it; explained in words).
    std::vector<json> probe_steps;
    // Notes a way's outcome in probe_steps: its render against the
    // reference, or the error that stopped it.
    void note_step(const char* way, const audio_buffer& reference, const audio_buffer& render);
    void note_step_error(const char* way, const std::string& error);
    // The probe's forked render was this process's very samples (not so
    // for ZynAddSubFX, whose helper thread a child lacks): a job rendered
    // in place on the never-played instance has a forked job's bytes.
    bool fork_same = false;
    // The warm-up an instance plays before it counts as pristine (none:
    // none at all): the note with a 3 s tail, or the cheapest the probe
    // found to leave an instance rendering the probe's note and holding the
    // state that one leaves.
    std::optional<warm_up_kind> warm_up_plan = warm_up_kind{};
    // A Windows plugin's first instance in the shared Windows worker has
    // played the full warm-up (whatever warm_up_plan says): what the
    // plugin's modules and wine's C runtime do once a process, the first
    // time a note plays, happens there and in no job's call. (With no
    // warm-up, memory's note 64, which reads the stack below its frames,
    // found msvcrt's and ntdll's addresses there in the first new
    // instance's job and zeros in the next ones'.) A probe's first
    // instance always had it; a kept verdict's must too.
    bool shared_worker_warmed = false;
    // The probe's verdicts came from the supervisor's cache
    // (supervise/probe_cache.hpp); the supervisor is to be told this
    // slot's own (report_verdict), once.
    bool verdict_cached = false;
    bool report_verdict = false;
    // --check-reproducible: whether a freshly started process rendered the
    // probe's note as this one does (unset until checked, or when the check
    // could not run).
    bool checked = false;
    std::optional<bool> reproducible;  // set by worker/reproducible_check.hpp

    // Its instances can still be called: not so after a Windows worker
    // crashed, which takes the slot's instances with it.
    bool usable() const {
        for (const auto& i : pictured)
            if (!i.p->usable()) return false;
        return (!played || played->usable()) && (!pristine || pristine->usable());
    }
    // The slot's first instance, which the records describe the plugin by.
    // quick: the instance will play its first program as it is (a single
    // job, no program, preset or parameter): JUCE's program walk is skipped.
    void start(bool quick);
    // A new instance, loaded and warmed up. Every instance is made in the
    // state the worker started in, whatever the jobs before it drew.
    // where: a Windows plugin's instance in a Windows worker of its own
    // (isolation process) or in restoring_host put back (isolation
    // restore); a Linux plugin's is made here anyway.
    instance_ptr load_warm(bool quick = false, windows_worker where = windows_worker::shared);
    // A never-played instance for forked jobs to render from, made again
    // after a first job took the worker's first one: loaded warm, its state
    // read as start() read the first one's (a forked job that changes
    // nothing reads it no more, and a plugin's state read may change what
    // it renders next: issue 68).
    instance_ptr load_pristine();
    // The instance reset mode renders on (played), made when there is none:
    // a Windows plugin's first instance (pristine), as its probe leaves it
    // (worker/windows_probe.cpp) and a one-off renders on, since a second
    // one in the shared worker lies at other addresses; else a new one.
    plugin_instance& reset_instance();
    // Whether a forked child can render from the never-played instance:
    // never for a Windows plugin, whose instances live in the Windows worker.
    bool forkable() const { return pristine && !ref.windows; }
    // For a plugin with threads of its own: one silent block (its process
    // call hands them what changed) and a wait until they rest, so that the
    // notes after it play from finished work. Nothing for other plugins.
    void settle(plugin_instance& p) const;
    // One block of the slot's size, silent but for `messages` at its first
    // frame (a SysEx dump sent before a job), its audio thrown away.
    void play_block(plugin_instance& p, const std::vector<std::vector<std::uint8_t>>& messages = {}) const;
    // Back to the state a job starts from, in reset mode: the plugin's reset
    // and its program (the job's, or the one it came up with) selected anew.
    // Settles it then, as a job's setup does elsewhere.
    void prepare(plugin_instance& p, std::optional<int> program) const;
    // DESIGN.md rule 5: find out how this plugin's jobs get a clean state
    // (sets mode). It costs one instance beyond the one fork mode needs
    // anyway, one forked render, and three short ones here.
    void probe();

    // The plugin would not load, or its probe failed, for the reason e
    // gives: kept (failure), the slot's instances dropped.
    void failed(const record_error& e);
    // Throws the kept failure, as the error it was (host_died or
    // record_error).
    [[noreturn]] void throw_failure() const;
    // The probe of a Windows plugin: reset, else a fresh instance in the
    // same Windows worker, else a new instance in restoring_host put back
    // (restore), else a Windows worker per job (process).
    // (worker/windows_probe.cpp, with the two below.)
    void probe_windows();
    void probe_restore(const audio_buffer& first);
    // The probe's search for a shorter warm-up, without fork: the
    // cheapest after which new instances render the probe's note as its
    // first instance did (first) and the disturbing one as a new fully
    // warmed instance does.
    void find_windows_warm_up(const audio_buffer& first);
    // The probe's two renders on an instance, each from the probe note's
    // seed: its note on the program the instance is on (an effect hears
    // the probe's noise), and the disturbing one on another program where
    // there is one (another note, loud, bent; an effect hears louder,
    // other noise). Every probe plays them (worker_slot.cpp,
    // windows_probe.cpp).
    audio_buffer render_probe_note(plugin_instance& p) const;
    audio_buffer render_disturbing(plugin_instance& p) const;
    // The probe's note on an instance as a job renders on it: its state
    // read first, as a job's setup reads it (the record's state_sha256; the
    // slot's first instance had it read as the worker started), since a
    // plugin's state read may change what it renders next (issue 68: a
    // vendor's VST2 effect rendered otherwise from 60 ms into the probe's
    // noise when it had not been read).
    audio_buffer render_as_job(plugin_instance& p) const;
    // What the probe found (isolation mode, own threads, warm-up) and why
    // (steps: probe_steps, each way tried), as the probe cache keeps it;
    // and a kept verdict taken instead of probing (its steps into
    // probe_steps): false (and nothing taken) for one that is not well
    // formed, or that has no steps.
    json verdict() const;
    bool take_verdict(const json& v);
};

}  // namespace vr::host
