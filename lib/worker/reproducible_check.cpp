// SPDX-License-Identifier: GPL-3.0-or-later
#include "worker/reproducible_check.hpp"

#include <cstring>

#include "core/tool.hpp"
#include "linux/child.hpp"
#include "linux/child_heap.hpp"
#include "linux/pinned_randomness.hpp"
#include "supervise/fresh_render.hpp"
#include "supervise/probe.hpp"
#include "worker/stage_render.hpp"

namespace vr::host {

namespace {

// The probe's note on p as render_worker plays a job's that changes nothing,
// in isolation how: from its seed, p made ready (reset: prepared; else set
// up as a stage, untouched when forked), then the note; a plugin that takes
// no MIDI hears its input alone, as the second process's job has no note.
audio_buffer render_probe_job(worker_slot& s, plugin_instance& p, isolation how, const audio_buffer* in) {
    pinned::reseed(the_probe_note.seed);
    if (how == isolation::reset) {
        s.prepare(p, std::nullopt);
    } else {
        job_stage stage{plugin_stage{s.ref}};
        stage.slot = &s;
        setup_stage(p, stage, how == isolation::fork);
    }
    play_plan plan = probe_plan(s.sample_rate);
    if (in && !s.info.accepts_midi) plan.messages.clear();
    return p.render(plan, 2, {.input = in});
}

}  // namespace

void check_reproducible(worker_slot& s, bool real_randomness) {
    s.checked = true;
    audio_buffer here{2, s.sample_rate, {}};
    // An effect's note comes with the probe's noise, in a file for the
    // second process.
    const audio_buffer noise = probe_input(s.sample_rate, s.info.main_input_channels);
    const audio_buffer* in = s.info.main_input_channels > 0 ? &noise : nullptr;
    const bool fork = s.pristine && !s.ref.windows, as_probed = s.ref.windows && s.probed;
    const isolation how = fork ? isolation::fork : as_probed ? s.mode : isolation::fresh;
    if (how == isolation::fork) {
        auto child = run_in_child(
            [&] {
                enter_child_heap();
                return to_bytes(render_probe_job(s, *s.pristine, how, in));
            },
            probe_timeout_s);
        if (!child.ok) return warn(s.info.name + ": no reproducibility check: " + child.failure());
        here.samples.resize(child.answer.size() / sizeof(float));
        std::memcpy(here.samples.data(), child.answer.data(), here.samples.size() * sizeof(float));
    } else if (how == isolation::reset) {
        // A kept verdict spared the probe, whose instance this would be.
        here = render_probe_job(s, s.reset_instance(), how, in);
    } else {
        auto p = s.load_warm(false, how == isolation::process   ? windows_worker::own
                                    : how == isolation::restore ? windows_worker::restored
                                                                : windows_worker::shared);
        here = render_probe_job(s, *p, how, in);
    }
    fresh_render there =
        render_in_fresh_process(s.ref, s.sample_rate, s.block_size, as_probed ? "auto" : to_string(how),
                                real_randomness, probe_timeout_s, in, s.info.accepts_midi);
    if (!there.ok) return warn(s.info.name + ": no reproducibility check: " + there.error);
    std::string difference = first_difference(here, there.audio);
    s.reproducible = difference.empty();
    if (!difference.empty())
        warn(s.info.name + ": not reproducible: a second process renders the same note otherwise (" + difference +
             "): the plugin's sound depends on something the seed does not pin (render-one(1), "
             "Reproducibility); its records say reproducible: false");
}

}  // namespace vr::host
