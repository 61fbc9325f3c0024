// SPDX-License-Identifier: GPL-3.0-or-later
// render-one's options for dataset renders (tails to silence, trimming,
// fades, loudness normalization, NaN policy, sidecars, progress), declared
// and read here so that the tool gains a few lines.
#pragma once
#include <memory>

#include "core/records.hpp"
#include "core/tool.hpp"
#include "render/job.hpp"
#include "render/progress.hpp"

namespace vr {

// Declares --tail (seconds or auto), --silence-hold, --max-tail,
// --trim-silence, --trim-pad, --fade-out, --normalize,
// --true-peak-ceiling, --allow-nonfinite and --sidecar. --silence-db is the
// tool's own.
void declare_dataset_options(cli& cli);

// What happens to each finished record.
class dataset_output {
public:
    dataset_output(bool sidecar);
    // Whether results must carry params (sidecars always do).
    bool wants_params() const { return sidecar_; }
    // Writes the record's sidecar (with --sidecar) and counts it on the
    // progress meter; call once per final record, before it is written.
    void finish(json& record);

private:
    bool sidecar_;
    progress_meter progress_;
};

// Reads the options declare_dataset_options declared (and --silence-db)
// into the job defaults; throws usage_error for a bad value.
std::unique_ptr<dataset_output> read_dataset_options(const cli& cli, render_defaults& defaults);

}  // namespace vr
