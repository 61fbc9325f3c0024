// SPDX-License-Identifier: GPL-3.0-or-later
// worker_slot's members that probe a Windows plugin (worker/worker_slot.hpp):
// there is no fork under wine, so every render the Linux probe forks from
// one instance is a new instance here. Each probe render is one as a job's
// (render_as_job: the instance's state read first).
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "linux/pinned_randomness.hpp"
#include "supervise/probe.hpp"
#include "wine/windows_instance.hpp"
#include "worker/worker_slot.hpp"

namespace vr::host {

void worker_slot::probe_windows() {
    if (!pristine) pristine = load_warm();
    played = std::move(pristine);
    // Each probe render starts from the probe note's seed, as on Linux: the
    // Windows worker's pinned generators follow it (windows/pinned_imports.hpp).
    probe_steps.clear();
    audio_buffer first = render_as_job(*played);
    render_disturbing(*played);
    prepare(*played, std::nullopt);
    const audio_buffer again = render_as_job(*played);
    note_step("reset", first, again);
    const bool reset_ok = same_samples(first, again);
    mode = isolation::reset;
    if (!reset_ok) {
        // A new instance after others played: does it start as the first did?
        // (restore's worker starts meanwhile, for the test after it.)
        played.reset();
        try {
            restoring_host = wine::start_restoring_host(ref);
        } catch (const record_error&) {
            // probe_restore's load says why
        }
        auto fresh = load_warm();
        const audio_buffer there = render_as_job(*fresh);
        note_step("fresh", first, there);
        mode = same_samples(first, there) ? isolation::fresh : isolation::process;
        fresh.reset();
        if (mode == isolation::process) probe_restore(first);
        if (mode != isolation::restore) restoring_host.reset();
    }
    // New instances of the shared Windows worker get the warm-up found
    // (in reset mode, for jobs that leave changes); restore's and process's
    // are made elsewhere and keep the full one.
    if ((mode == isolation::reset || mode == isolation::fresh) && !own_threads && warm_up_plan == full_warm_up)
        find_windows_warm_up(first);
    probed = true;
}

// A Windows worker of the slot's own: its first instance plays, and
// plays something else; then the worker puts the plugin back as it was
// loaded, and a new instance must start as the probe's first did.
void worker_slot::probe_restore(const audio_buffer& first) {
    try {
        // No warm-up: it is here to leave the module's state changed.
        pinned::reseed(0);
        auto there = load_instance(ref, sample_rate, block_size, false, sidechain, windows_worker::restored,
                                   &restoring_host);
        render_disturbing(*there);
        there.reset();
        auto restored = load_warm(false, windows_worker::restored);
        const audio_buffer back = render_as_job(*restored);
        note_step("restore", first, back);
        if (same_samples(first, back)) mode = isolation::restore;
    } catch (const record_error& e) {
        // No restore there (pinning off, no arena): a worker per job.
        note_step_error("restore", e.what());
    }
}

// As the Linux probe's search (worker_slot::probe), with new instances
// where that one forks: a try is two new instances with the tried warm-up,
// one rendering the probe's note, to equal the probe's first instance's
// render (which a new instance with the full warm-up gave too, in fresh
// mode), the other the disturbing render (another program, loud), to
// equal a new fully warmed instance's. Every new instance of a job then
// spares the rest of the 3 s the full warm-up plays: a Windows batch whose
// jobs load presets makes one per job. A plugin whose instances share
// state, or that any try fails to load, keeps the full warm-up.
void worker_slot::find_windows_warm_up(const audio_buffer& first) {
    auto made = [&](const std::optional<warm_up_kind>& w) {
        pinned::reseed(0);
        auto p = load_instance(ref, sample_rate, block_size, false, sidechain);
        warm_up(*p, sample_rate, w);
        return p;
    };
    try {
        const audio_buffer reference = render_disturbing(*made(full_warm_up));
        for (const std::optional<warm_up_kind>& tail : shorter_warm_ups) {
            auto p = made(tail);
            if (sha256_hex(p->state()) != default_state_sha256) continue;
            if (!same_samples(first, render_probe_note(*p))) continue;
            p.reset();
            if (same_samples(reference, render_disturbing(*made(tail)))) {
                warm_up_plan = tail;
                return;
            }
        }
    } catch (const record_error&) {
        // The full warm-up stays; the jobs' own loads say what failed.
    }
}

}  // namespace vr::host
