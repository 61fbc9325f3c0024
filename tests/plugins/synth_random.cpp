// SPDX-License-Identifier: GPL-3.0-or-later
#include "synth_random.hpp"

#include <algorithm>

namespace vr::test_synth {

void use_juce_random(voice_bank& voices, std::optional<juce::Random>& random)
{
    // emplace() runs Random's default constructor, which seeds it from the
    // object's own address and the clocks; never reseeded after.
    auto& r = random.emplace();
    voices.set_noise([&r] { return 2.0 * static_cast<double>(r.nextFloat()) - 1.0; });
}

std::uint64_t random_start_index(double sample_rate)
{
    const int range = std::max(1, static_cast<int>(sample_rate));
    return static_cast<std::uint64_t>(juce::Random::getSystemRandom().nextInt(range));
}

}  // namespace vr::test_synth
