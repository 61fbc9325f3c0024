// SPDX-License-Identifier: GPL-3.0-or-later
#include "worker/probe_explain.hpp"

#include <cstdio>
#include <string>

#include "worker/worker_slot.hpp"

namespace vr::host {

void explain_plugin_probe(const plugin_ref& plugin, int sample_rate, int block_size, bool sidechain,
                          const std::function<void(json&&)>& emit) {
    worker_slot s;
    s.ref = plugin;
    s.sample_rate = sample_rate;
    s.block_size = block_size;
    s.sidechain = sidechain;
    s.start(false);
    s.probe();
    for (json& step : s.probe_steps) {
        json r{{"plugin_path", plugin.location}};
        for (auto& [k, v] : step.items()) r[k] = std::move(v);
        emit(std::move(r));
    }
    json verdict{{"plugin_path", plugin.location}};
    json found = s.verdict();
    found.erase("steps");  // each has its record above
    for (auto& [k, v] : found.items()) verdict[k] = std::move(v);
    const auto& w = s.warm_up_plan;
    char tail[32];
    std::snprintf(tail, sizeof tail, "%g s", w ? w->seconds : 0.0);
    verdict["explained"] = std::string("isolation ") + to_string(s.mode) + "; warm-up " +
                           (!w ? std::string("none") : (w->note ? "the note and a tail of " : "silence, ") + std::string(tail));
    emit(std::move(verdict));
}

}  // namespace vr::host
