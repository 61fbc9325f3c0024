// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/records.hpp"
#include "jobs/job.hpp"

namespace vr {

// A checked job as the supervisor hands it to its worker, and back: every
// field as it is (no defaults, no checks: the job was checked once, by
// make_render_job). from_wire throws json::exception on a malformed message.
json to_wire(const render_job& job);
render_job from_wire(const json& wire);

}  // namespace vr
