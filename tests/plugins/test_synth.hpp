// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// vr-test-synth: a sine instrument whose every sample a test can compute,
// with switches for the ways real plugins misbehave. README.md is the spec.

#include <juce_audio_processors/juce_audio_processors.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include "synth_editor.hpp"
#include "synth_text_state.hpp"
#include "synth_voices.hpp"

namespace vr::test_synth {

// Parameter indices, in the order the plugin registers them. Stable: tests
// and README.md name them.
enum param : int {
    p_level = 0,
    p_release,
    p_crash,
    p_abort,
    p_exit,
    p_hang,
    p_nan,
    p_print,
    p_latency,
    p_history,
    p_leak,
    p_state_crc,     // read-only from here on
    p_state_crc_hi,
    p_state_crc_lo,
    p_count
};

// Parameters 0..writable_count-1 are settable and saved in the state.
inline constexpr int writable_count = p_state_crc;

inline constexpr int latency_samples = static_cast<int>(delay_line::delay_samples);

struct factory_program {
    const char* name;
    float level;
};

inline constexpr std::array<factory_program, 4> factory_programs{{
    {"Init", 0.5f},
    {"Quiet", 0.25f},
    {"Loud", 0.75f},
    {"Full", 1.0f},
}};

// A float parameter renamed loud_name while loud holds >= 0.9 (the
// renames variant); its id stays.
class renamed_float final : public juce::AudioParameterFloat {
public:
    using AudioParameterFloat::AudioParameterFloat;
    const juce::AudioParameterFloat* loud = nullptr;
    const char* loud_name = "";
    juce::String getName(int n) const override
    {
        return loud && loud->get() >= 0.9f ? juce::String(loud_name).substring(0, n) : AudioParameterFloat::getName(n);
    }
};

// The variants README.md describes, chosen once, at construction.
struct variant {
    bool optional_bus = false; // the output bus is not enabled by default
    bool effect = false;       // a main input bus, added to the output
    bool sidechain = false;    // the effect plus a second input bus, off by default, added too
    bool renames = false;      // level and release renamed while level >= 0.9
    bool play_head = false;    // VR_TEST_SYNTH_PLAY_HEAD=1: the output says what the play head says
    bool juce_random = false;  // VR_TEST_SYNTH_JUCE_RANDOM=1: start phases and noise from juce::Random
    text_state state_form = text_state::none;  // VR_TEST_SYNTH_STATE=json|xml|keep (synth_text_state.hpp)
    editor_kind editor = editor_kind::normal;  // VR_TEST_SYNTH_EDITOR (synth_editor.hpp)

    bool has_main_input() const { return effect || sidechain; }
};

class processor final : public juce::AudioProcessor,
                        private juce::AudioProcessorParameter::Listener {
public:
    // The variant the environment (or, in LV2, the bundle) asks for.
    processor();
    explicit processor(variant v);
    ~processor() override;

    const juce::String getName() const override;
    void prepareToPlay(double sample_rate, int max_block) override;
    void releaseResources() override {}
    void reset() override;
    bool isBusesLayoutSupported(const BusesLayout& layouts) const override;
    void processBlock(juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi) override;
    using juce::AudioProcessor::processBlock;

    double getTailLengthSeconds() const override { return 1.0; }
    bool acceptsMidi() const override { return true; }
    bool producesMidi() const override { return false; }
    bool isMidiEffect() const override { return false; }

    bool hasEditor() const override { return variant_.editor != editor_kind::none; }
    juce::AudioProcessorEditor* createEditor() override;
    // The state's payload as the editor draws it: its text when short and
    // printable, else its length; empty when there is none.
    juce::String payload_text() const;

    int getNumPrograms() override { return static_cast<int>(factory_programs.size()); }
    int getCurrentProgram() override { return current_program_; }
    void setCurrentProgram(int index) override;
    const juce::String getProgramName(int index) override;
    void changeProgramName(int, const juce::String&) override {}

    void getStateInformation(juce::MemoryBlock& dest) override;
    void setStateInformation(const void* data, int size) override;

private:
    static BusesProperties buses_for(variant v);
    void parameterValueChanged(int index, float value) override;
    void parameterGestureChanged(int, bool) override {}

    bool on(int index) const { return values_[static_cast<std::size_t>(index)]->get() >= 0.5f; }
    void handle(const juce::MidiMessage& msg, std::uint64_t at_sample);
    void set_crc(std::uint32_t crc);

    std::array<juce::AudioParameterFloat*, writable_count> values_{};
    std::array<juce::AudioProcessorParameter*, 3> readouts_{};

    variant variant_;
    voice_bank voices_;
    // The JUCE-random variant's noise generator, made in the constructor.
    std::optional<juce::Random> noise_random_;
    // One line per channel: with an input, the channels differ.
    std::array<delay_line, 2> delays_;
    bool delaying_ = false;
    double sample_rate_ = 44100.0;

    // Samples this instance has processed since construction; never reset,
    // which is what makes `history` depend on earlier renders.
    std::uint64_t samples_processed_ = 0;

    int current_program_ = 0;
    // The state's payload: the editor draws it (payload_text), from the
    // message thread, while a host may set a state from another.
    std::vector<std::uint8_t> payload_;
    juce::CriticalSection payload_lock_;
    std::vector<std::uint8_t> kept_;  // VR_TEST_SYNTH_STATE=keep: the foreign state last given
    // VR_TEST_SYNTH_EDITOR=after: whether an editor was ever created, and
    // the state given before then, which takes effect at that moment.
    bool editor_made_ = false;
    std::optional<juce::MemoryBlock> pending_state_;
    std::atomic<std::uint32_t> state_crc_{0};

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR(processor)
};

} // namespace vr::test_synth
