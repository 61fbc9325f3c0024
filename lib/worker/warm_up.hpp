// SPDX-License-Identifier: GPL-3.0-or-later
// The warm-up an instance plays before it counts as pristine (DESIGN.md
// rule 4): its kinds, the full one every instance gets until the probe
// finds a shorter one enough, and the shorter ones it tries
// (worker/worker_slot.hpp: warm_up_plan).
#pragma once
#include <array>
#include <optional>

#include "host/plugin_instance.hpp"

namespace vr::host {

// A warm-up: the note (60, velocity 100, 0.05 s) and a tail of seconds,
// or (note false) seconds of silence.
struct warm_up_kind {
    bool note = true;
    double seconds = 3.0;
    bool operator==(const warm_up_kind&) const = default;
};

// Some plugins load data lazily on their first render, which then comes out
// wrong (DESIGN.md rule 4): play a short note once and discard it. Its
// release must be over before the instance counts as pristine (a reset does
// not silence every plugin), hence the long tail. The length is fixed, not
// "until silent": plugins whose instances differ in noise would otherwise
// end their warm-ups in different states. Nor is silence the end: Nekobi's
// accent (velocity above 90) outlives the reset, decaying unheard for about
// 1.5 s; after a 1 s tail every later note differed from a cold instance's
// by up to 1.7e-7 (tests/minimal-host.bats). 3 s leave exact zeros, for a
// few milliseconds of rendering per instance. The probe learns whether a
// plugin needs the whole of it.
inline constexpr warm_up_kind full_warm_up{};

// The shorter warm-ups the probe tries, cheapest first: none; silence (a
// plugin that only needs its first process call, or its parameters'
// smoothing run); the note with shorter tails.
inline constexpr std::array<std::optional<warm_up_kind>, 4> shorter_warm_ups{
    std::nullopt, warm_up_kind{false, 0.1}, warm_up_kind{true, 0.25}, warm_up_kind{true, 1.0}};

// Plays warm-up w on p, then resets it; none (nullopt) plays nothing.
void warm_up(plugin_instance& p, int sample_rate, const std::optional<warm_up_kind>& w);

}  // namespace vr::host
