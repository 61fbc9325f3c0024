// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The JUCE-random variant (README.md, "JUCE random"): the voices' noise and
// start phases come from juce::Random, as in most commercial instruments,
// whose seeds JUCE takes from clocks and addresses (setSeedRandomly).

#include <juce_core/juce_core.h>

#include <cstdint>
#include <optional>

#include "synth_voices.hpp"

namespace vr::test_synth {

// Default-constructs `random` in place (a member of the processor, so its
// address is on the heap) and makes it the voices' noise source: a value
// uniform in [-1, 1) per sounding voice and sample.
void use_juce_random(voice_bank& voices, std::optional<juce::Random>& random);

// A note's start index (its phase), drawn from Random::getSystemRandom(), the
// static in the plugin's module: uniform in 0 .. sample_rate - 1.
std::uint64_t random_start_index(double sample_rate);

}  // namespace vr::test_synth
