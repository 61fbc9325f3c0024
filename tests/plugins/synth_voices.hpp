// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The sound of vr-test-synth, free of JUCE so that README.md's formula and
// this code can be read side by side.

#include <array>
#include <cstdint>
#include <functional>

namespace vr::test_synth {

struct voice {
    bool active = false;
    bool releasing = false;
    double amp = 0.0;           // velocity / 127 * level, fixed at note-on
    double freq = 0.0;          // 440 * 2^((note - 69) / 12)
    std::uint64_t k = 0;        // sample index since note-on (plus history offset)
    std::uint64_t m = 0;        // samples since note-off
    std::uint64_t r = 0;        // release length in samples
};

// One voice per MIDI note number; the output is their sum.
class voice_bank {
public:
    // Silences every voice at once and takes the sample rate for later notes.
    void reset(double sample_rate);

    // Starts (or restarts) the voice of `note` at phase index k0.
    void note_on(int note, int velocity, double level, std::uint64_t k0);

    // Starts the release of `note` if it is held; r == 0 silences it now.
    void note_off(int note, std::uint64_t r);

    // note_off for every held note.
    void release_all(std::uint64_t r);

    // True while at least one voice makes sound.
    bool sounding() const { return active_count_ > 0; }

    // The next output sample (sum of all voices), advancing every voice.
    double next_sample();

    // With a noise source, each sounding voice also draws one noise value
    // per sample; noise_sum() is the sum of amp * env * noise over the
    // voices of the last next_sample() (0 without a source). The sines do
    // not change.
    void set_noise(std::function<double()> noise) { noise_ = std::move(noise); }
    double noise_sum() const { return noise_sum_; }

private:
    std::array<voice, 128> voices_{};
    std::function<double()> noise_;
    double noise_sum_ = 0.0;
    int active_count_ = 0;
    double sample_rate_ = 44100.0;
};

// A fixed delay of `delay_samples` samples, zero-filled when cleared.
class delay_line {
public:
    static constexpr std::size_t delay_samples = 64;

    // Forgets everything pushed so far.
    void clear();

    // Pushes x and returns the sample pushed delay_samples calls earlier.
    float push(float x);

private:
    std::array<float, delay_samples> buf_{};
    std::size_t pos_ = 0;
};

// Release length in samples for a `release` parameter value (0..1 = 0..1000 ms).
std::uint64_t release_samples(float release_value, double sample_rate);

} // namespace vr::test_synth
