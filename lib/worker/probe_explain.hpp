// SPDX-License-Identifier: GPL-3.0-or-later
// render-one --explain-probe: a plugin's isolation probe run as a batch's
// first job would run it, told way by way (worker/worker_slot.hpp's
// probe_steps), so that a user can see why auto isolation picked what it
// did and check it by hand.
#pragma once
#include <functional>

#include "core/records.hpp"
#include "jobs/job.hpp"

namespace vr::host {

// Loads the plugin in a worker slot of its own at that rate, block size
// and sidechain, probes it, and calls emit with one record per way tried
// (plugin_path, way, same, first_frame, first_channel, largest_difference
// or error, explained), then one with the verdict (isolation, warm_up,
// own_threads). Throws record_error when the plugin cannot be loaded.
void explain_plugin_probe(const plugin_ref& plugin, int sample_rate, int block_size, bool sidechain,
                          const std::function<void(json&&)>& emit);

}  // namespace vr::host
