// SPDX-License-Identifier: GPL-3.0-or-later
#include "worker/plugin_describe.hpp"

#include "core/error.hpp"
#include "host/describe_instance.hpp"
#include "host/plugin_create.hpp"
#include "linux/child.hpp"
#include "wine/windows_instance.hpp"

namespace vr::host {

json describe_plugins(const scan_job& job, double timeout_s) {
    // Set up here, before the fork: each child then starts with the format
    // ready (for LV2, lilv's reading of the default folders done once).
    if (!job.windows) format_for(job.format);
    auto outcome = run_in_child(
        [&] {
            try {
                json r = job.windows ? wine::describe_windows_plugin(job) : describe_file(job);
                return json{{"loaded", std::move(r)}}.dump();
            } catch (const json::type_error&) {
                // As record_writer does: a name that is not UTF-8 is reported, never mangled.
                return json{{"error", "the plugin describes itself in text that is not valid UTF-8"}}.dump();
            } catch (const std::exception& e) {
                return json{{"error", e.what()}}.dump(-1, ' ', false, json::error_handler_t::replace);
            }
        },
        timeout_s);
    if (!outcome.ok) throw child_failed(outcome);
    json answer = json::parse(outcome.answer);
    if (answer.contains("error")) throw record_error(answer["error"].get<std::string>());
    return std::move(answer["loaded"]);
}

}  // namespace vr::host
