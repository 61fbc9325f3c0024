// SPDX-License-Identifier: GPL-3.0-or-later
#include "worker/warm_up.hpp"

#include <algorithm>
#include <cstdint>

#include "jobs/job_audio.hpp"

namespace vr::host {

void warm_up(plugin_instance& p, int sample_rate, const std::optional<warm_up_kind>& w) {
    if (!w) return;
    if (w->note) {
        p.render(note_plan(60, 100, 0.05, w->seconds, sample_rate), 2);
    } else {
        play_plan silence;
        silence.frames = std::max<std::int64_t>(1, seconds_to_frames(w->seconds, sample_rate));
        p.render(silence, 2);
    }
    p.reset();
}

}  // namespace vr::host
