// SPDX-License-Identifier: GPL-3.0-or-later
// The supervisor's members that give a job's plugin a display
// (supervise.hpp, supervisor::run): a Linux plugin that ends its process
// as it loads with no display (JUCE 5's VST2 builds open the X display in
// their entry point and exit without one) is loaded once more in a new
// worker, on the Xvfb of this process (display.hpp), or in a sandbox on
// one of the sandbox's own; its later jobs get it before they load.
#include <optional>
#include <string>
#include <utility>

#include "core/error.hpp"
#include "core/tool.hpp"
#include "supervise/display.hpp"
#include "supervise/display_retry.hpp"
#include "supervise/supervise.hpp"

namespace vr {

namespace {

// What the job is sent for its worker to use: this process's Xvfb, started
// now if need be (throws record_error when it cannot), or in a sandbox,
// which hides it, one the sandboxed worker starts (display.hpp).
std::string display_for(const supervised_job& job) {
    return job.sandbox.on ? std::string(own_display) : virtual_display("Xvfb is not installed");
}

// The plugin whose display the job concerns.
const std::string& plugin_of(const supervised_job& job) {
    return job.display_plugin.empty() ? job.plugin_key.location : job.display_plugin;
}

// "Xvfb :10 (pid 123)": the Xvfb this process started.
std::string xvfb_named() {
    return "Xvfb " + started_display() + " (pid " + std::to_string(started_display_pid()) + ")";
}

}  // namespace

void supervisor::give_display_if_needed(const supervised_job& job) {
    display_.clear();
    display_tried_ = false;
    if (job.shows_editor) {
        // Throws record_error when Xvfb cannot start: the job fails saying so.
        display_ = job.sandbox.on ? std::string(own_display) : own_virtual_display("Xvfb is not installed");
        if (pid_ && worker_display_ != display_) stop_worker();
        return;
    }
    if (!job.needs_display && !on_display_.contains(plugin_of(job))) return;
    const bool started = !started_display().empty();
    try {
        display_ = display_for(job);
    } catch (const record_error&) {
        return;  // it loads without one; its death then says why there is none (retry_on_display)
    }
    if (!job.sandbox.on && !started && !started_display().empty())  // not the user's DISPLAY
        warn(xvfb_named() + " started for " + plugin_of(job) + ", which needs a display (" +
             (job.needs_display ? "the probe cache says so" : "its load ended a worker before") + ")");
}

bool supervisor::retry_on_display(const supervised_job& job, json& fields, end& e) {
    // What the attempt's classify said, taken: the next attempt says anew.
    const std::optional<std::string> death = std::exchange(load_death_, std::nullopt);
    if (!death || !display_.empty() || display_tried_ || !job.display_may_help || !may_want_display(*death))
        return false;
    display_tried_ = true;
    const std::string& plugin = plugin_of(job);
    const bool started = !started_display().empty();
    try {
        display_ = display_for(job);
    } catch (const record_error& why) {
        if (fields.contains("error") && fields["error"].is_object())
            fields["error"]["message"] =
                fields["error"].value("message", "") + "; if it needs a display: " + why.what();
        return false;
    }
    const std::string said = ended_without_display(plugin);
    if (job.sandbox.on)
        warn(said + "loading it again in its sandbox, on an Xvfb of the sandbox's own");
    else
        warn(said + xvfb_named() + (started ? " gives it one" : " started for it") + "; loading it again");
    json first = std::move(fields);
    const end first_end = e;
    e = attempt(job, fields);
    if (std::exchange(load_death_, std::nullopt)) {  // no better with a display: the first failure stands
        fields = std::move(first);
        e = first_end;
        display_.clear();
        return true;
    }
    on_display_.insert(plugin);
    return true;
}

}  // namespace vr
