// SPDX-License-Identifier: GPL-3.0-or-later
#include "synth_voices.hpp"

#include <algorithm>
#include <cmath>

namespace vr::test_synth {

namespace {
// Spelled out rather than M_PI so the README's constant is visibly this one.
constexpr double pi = 3.141592653589793;
} // namespace

void voice_bank::reset(double sample_rate)
{
    voices_ = {};
    active_count_ = 0;
    sample_rate_ = sample_rate;
}

void voice_bank::note_on(int note, int velocity, double level, std::uint64_t k0)
{
    if (note < 0 || note > 127)
        return;
    auto& v = voices_[static_cast<std::size_t>(note)];
    if (!v.active)
        ++active_count_;
    v.active = true;
    v.releasing = false;
    v.amp = (velocity / 127.0) * level;
    v.freq = 440.0 * std::pow(2.0, (note - 69) / 12.0);
    v.k = k0;
    v.m = 0;
    v.r = 0;
}

void voice_bank::note_off(int note, std::uint64_t r)
{
    if (note < 0 || note > 127)
        return;
    auto& v = voices_[static_cast<std::size_t>(note)];
    if (!v.active || v.releasing)
        return;
    if (r == 0) {
        v.active = false;
        --active_count_;
        return;
    }
    v.releasing = true;
    v.m = 0;
    v.r = r;
}

void voice_bank::release_all(std::uint64_t r)
{
    for (int note = 0; note < 128; ++note)
        note_off(note, r);
}

double voice_bank::next_sample()
{
    noise_sum_ = 0.0;
    if (active_count_ == 0)
        return 0.0;
    double sum = 0.0;
    for (auto& v : voices_) {
        if (!v.active)
            continue;
        // The README promises exactly this evaluation order, in double.
        const double phase = 2.0 * pi * v.freq * static_cast<double>(v.k) / sample_rate_;
        const double env = v.releasing ? 1.0 - static_cast<double>(v.m) / static_cast<double>(v.r) : 1.0;
        sum += v.amp * env * std::sin(phase);
        if (noise_)
            noise_sum_ += v.amp * env * noise_();
        ++v.k;
        if (v.releasing && ++v.m >= v.r) {
            v.active = false;
            --active_count_;
        }
    }
    return sum;
}

void delay_line::clear()
{
    buf_ = {};
    pos_ = 0;
}

float delay_line::push(float x)
{
    const float y = buf_[pos_];
    buf_[pos_] = x;
    pos_ = (pos_ + 1) % delay_samples;
    return y;
}

std::uint64_t release_samples(float release_value, double sample_rate)
{
    const double v = std::clamp(static_cast<double>(release_value), 0.0, 1.0);
    return static_cast<std::uint64_t>(std::llround(v * sample_rate));
}

} // namespace vr::test_synth
