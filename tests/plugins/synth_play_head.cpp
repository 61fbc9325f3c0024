// SPDX-License-Identifier: GPL-3.0-or-later
#include "synth_play_head.hpp"

#include <array>
#include <cstdint>

namespace vr::test_synth {

// Frame k of the block carries field (position + k) % 8 on the left, where
// position is the host's sample position at the block's start, and that
// position on the right: a test reads every field of every block back and
// sees where each block started. A field the host left out is -1.
void report_play_head(juce::AudioPlayHead* head, juce::AudioBuffer<float>& buffer, int channels)
{
    std::array<double, 8> field{};
    field.fill(-1.0);
    std::int64_t position = 0;
    juce::Optional<juce::AudioPlayHead::PositionInfo> info;
    if (head != nullptr)
        info = head->getPosition();
    field[0] = info.hasValue() ? 1.0 : 0.0;
    if (info.hasValue()) {
        position = info->getTimeInSamples().orFallback(0);
        field[1] = info->getBpm().orFallback(-1.0);
        field[2] = info->getPpqPosition().orFallback(-1.0);
        field[3] = info->getPpqPositionOfLastBarStart().orFallback(-1.0);
        field[4] = info->getIsPlaying() ? 1.0 : 0.0;
        if (const auto sig = info->getTimeSignature()) {
            field[5] = sig->numerator;
            field[6] = sig->denominator;
        }
        if (const auto bar = info->getBarCount())
            field[7] = static_cast<double>(*bar);
    }
    const int n = buffer.getNumSamples();
    for (int k = 0; k < n; ++k) {
        const auto at = static_cast<std::size_t>((position + k) % 8);
        if (channels > 0)
            buffer.setSample(0, k, static_cast<float>(field[at]));
        if (channels > 1)
            buffer.setSample(1, k, static_cast<float>(position));
    }
}

}  // namespace vr::test_synth
