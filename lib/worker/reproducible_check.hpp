// SPDX-License-Identifier: GPL-3.0-or-later
// --check-reproducible (render-one(1)): the probe's note from seed 0
// rendered as a job of this process would render it now, and as a job of
// a second process started for it that gets there the same way: forked
// from the first instance where a Linux plugin keeps it, else on a new
// instance; a Windows plugin once probed, in the probe's mode (reset: on
// the instance jobs play in place; restore and process: the first
// instance of a Windows worker of its own, restored or new), the second
// process probing too (an instance that comes after others in one Windows
// worker may draw otherwise from its module's statics, as JUCE's Random
// does).
#pragma once
#include "worker/worker_slot.hpp"

namespace vr::host {

// Sets s.checked and s.reproducible (left unset when no check could run);
// stderr says once why the two differ or why no check ran.
void check_reproducible(worker_slot& s, bool real_randomness);

}  // namespace vr::host
