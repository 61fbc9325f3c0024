// SPDX-License-Identifier: GPL-3.0-or-later
#include "test_synth.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>

#include "synth_faults.hpp"
#include "synth_play_head.hpp"
#include "synth_random.hpp"
#include "synth_state.hpp"

namespace vr::test_synth {

namespace {

// A value the plugin reports and the host cannot change (a VST3 "meter",
// which JUCE flags read-only).
class readout_parameter final : public juce::AudioProcessorParameterWithID {
public:
    readout_parameter(const char* id, std::function<float()> value, std::function<juce::String()> text)
        : AudioProcessorParameterWithID(juce::ParameterID{id, 1}, id),
          value_(std::move(value)), text_(std::move(text))
    {
    }

    float getValue() const override { return value_(); }
    void setValue(float) override {}
    float getDefaultValue() const override { return 0.0f; }
    // The text is always that of the current value: a float cannot carry
    // all 32 bits of a CRC, the text can.
    juce::String getText(float, int) const override { return text_(); }
    float getValueForText(const juce::String&) const override { return value_(); }
    bool isAutomatable() const override { return false; }
    Category getCategory() const override { return otherMeter; }

private:
    std::function<float()> value_;
    std::function<juce::String()> text_;
};

renamed_float* make_float(const char* id, float def, std::function<juce::String(float, int)> text)
{
    return new renamed_float(
        juce::ParameterID{id, 1}, id, juce::NormalisableRange<float>(0.0f, 1.0f), def,
        juce::AudioParameterFloatAttributes().withStringFromValueFunction(std::move(text)));
}

juce::AudioParameterFloat* make_switch(const char* id)
{
    return make_float(id, 0.0f, [](float v, int) { return juce::String(v >= 0.5f ? "on" : "off"); });
}

bool env_is_1(const char* name)
{
    const char* v = std::getenv(name);
    return v != nullptr && std::strcmp(v, "1") == 0;
}

// VR_TEST_SYNTH_OPTIONAL_BUS=1 declares the output bus not enabled by
// default, as a JUCE plugin with an optional bus does: its LV2 TTL then
// marks the output ports lv2:connectionOptional, and its VST3 bus is not
// kDefaultActive. The sound is the same.
//
// VR_TEST_SYNTH_EFFECT=1 adds a stereo main input, as an effect has. In LV2
// the bundle decides instead: JUCE numbers the ports from the channels the
// constructor declares, and they must be those of the bundle's TTL, whatever
// the environment of the host. The effect variant's bundle holds a file
// named `effect` beside the binary (plugins.mk puts it there before JUCE's
// helper writes the TTL).
//
// VR_TEST_SYNTH_SIDECHAIN=1 (in LV2 a file named `sidechain`) makes the
// effect with a second stereo input, "Sidechain", not enabled by default,
// so that a host has to switch it on, as for a real side chain.
//
// VR_TEST_SYNTH_RENAMES=1 renames two parameters while level is >= 0.9:
// level is then "gain" and release "level" (LV2 names live in the TTL).
// VR_TEST_SYNTH_STATE=json|xml: the state as text (synth_text_state.hpp).

variant variant_requested()
{
    variant v;
    v.optional_bus = env_is_1("VR_TEST_SYNTH_OPTIONAL_BUS");
    if (juce::PluginHostType::getPluginLoadedAs() == juce::AudioProcessor::wrapperType_LV2) {
        const auto self = juce::File::getSpecialLocation(juce::File::currentExecutableFile);
        v.effect = self.getSiblingFile("effect").existsAsFile();
        v.sidechain = self.getSiblingFile("sidechain").existsAsFile();
    } else {
        v.effect = env_is_1("VR_TEST_SYNTH_EFFECT");
        v.sidechain = env_is_1("VR_TEST_SYNTH_SIDECHAIN");
    }
    v.renames = env_is_1("VR_TEST_SYNTH_RENAMES");
    v.play_head = env_is_1("VR_TEST_SYNTH_PLAY_HEAD");
    v.juce_random = env_is_1("VR_TEST_SYNTH_JUCE_RANDOM");
    v.state_form = text_state_requested();
    v.editor = editor_requested();
    return v;
}

// Up to two channels of an input bus, where the host put them in the
// process buffer (none when the bus is off or absent).
struct bus_input {
    std::array<const float*, 2> channels{};
    int count = 0;

    // Channel min(c, count - 1): a mono bus feeds every output channel.
    double at(int c, int pos) const
    {
        return static_cast<double>(channels[static_cast<std::size_t>(std::min(c, count - 1))][pos]);
    }
};

bus_input input_bus(const juce::AudioProcessor& p, const juce::AudioBuffer<float>& buffer, int bus)
{
    bus_input in;
    if (bus >= p.getBusCount(true))
        return in;
    const int n = std::min(p.getChannelCountOfBus(true, bus), static_cast<int>(in.channels.size()));
    for (; in.count < n; ++in.count) {
        const int index = p.getChannelIndexInProcessBlockBuffer(true, bus, in.count);
        if (index >= buffer.getNumChannels())
            break;
        in.channels[static_cast<std::size_t>(in.count)] = buffer.getReadPointer(index);
    }
    return in;
}

juce::String hex(std::uint32_t v, int digits)
{
    return "0x" + juce::String::toHexString(static_cast<juce::int64>(v)).paddedLeft('0', digits);
}

} // namespace

juce::AudioProcessor::BusesProperties processor::buses_for(variant v)
{
    auto buses = BusesProperties();
    if (v.has_main_input())
        buses = buses.withInput("Input", juce::AudioChannelSet::stereo(), true);
    if (v.sidechain)
        buses = buses.withInput("Sidechain", juce::AudioChannelSet::stereo(), false);
    return buses.withOutput("Output", juce::AudioChannelSet::stereo(), !v.optional_bus);
}

processor::processor()
    : processor(variant_requested())
{
}

processor::processor(variant v)
    : AudioProcessor(buses_for(v)),
      variant_(v)
{
    count_made();
    if (print_requested_by_env())
        print_noise("constructor", -1, -1);

    auto* level = make_float("level", 0.5f, [](float v, int) { return juce::String(v, 3); });
    auto* release = make_float("release", 0.1f, [](float v, int) {
        return juce::String(static_cast<double>(v) * 1000.0, 1) + " ms";
    });
    if (v.renames) {
        level->loud = release->loud = level;
        level->loud_name = "gain";
        release->loud_name = "level";
    }
    values_[p_level] = level;
    values_[p_release] = release;
    const char* switches[] = {"crash", "abort", "exit", "hang", "nan", "print", "latency", "history", "leak"};
    for (int i = p_crash; i < writable_count; ++i)
        values_[static_cast<std::size_t>(i)] = make_switch(switches[i - p_crash]);
    for (auto* p : values_)
        addParameter(p);

    readouts_[0] = new readout_parameter(
        "state_crc", [this] { return static_cast<float>(state_crc_.load() / 4294967296.0); },
        [this] { return hex(state_crc_.load(), 8); });
    readouts_[1] = new readout_parameter(
        "state_crc_hi", [this] { return static_cast<float>((state_crc_.load() >> 16) / 65535.0); },
        [this] { return hex(state_crc_.load() >> 16, 4); });
    readouts_[2] = new readout_parameter(
        "state_crc_lo", [this] { return static_cast<float>((state_crc_.load() & 0xFFFFu) / 65535.0); },
        [this] { return hex(state_crc_.load() & 0xFFFFu, 4); });
    for (auto* p : readouts_)
        addParameter(p);

    values_[p_latency]->addListener(this);
    if (v.juce_random)
        use_juce_random(voices_, noise_random_);
}

processor::~processor()
{
    note_clock_at_end();
    values_[p_latency]->removeListener(this);
}

const juce::String processor::getName() const
{
    return JucePlugin_Name;
}

void processor::prepareToPlay(double sample_rate, int)
{
    sample_rate_ = sample_rate;
    reset();
}

void processor::reset()
{
    voices_.reset(sample_rate_);
    for (auto& d : delays_)
        d.clear();
    delaying_ = on(p_latency);
    setLatencySamples(delaying_ ? latency_samples : 0);
}

bool processor::isBusesLayoutSupported(const BusesLayout& layouts) const
{
    const auto mono_or_stereo = [](const juce::AudioChannelSet& set) {
        return set == juce::AudioChannelSet::mono() || set == juce::AudioChannelSet::stereo();
    };
    const auto mono_stereo_or_off = [&](const juce::AudioChannelSet& set) {
        return set == juce::AudioChannelSet::disabled() || mono_or_stereo(set);
    };
    // An effect's input may be left off, as a host without audio to feed
    // does; so may the side chain, which is off until a host needs it.
    const auto in = layouts.getMainInputChannelSet();
    if (in != juce::AudioChannelSet::disabled() && !(variant_.has_main_input() && mono_or_stereo(in)))
        return false;
    if (variant_.sidechain && !(layouts.inputBuses.size() == 2 && mono_stereo_or_off(layouts.inputBuses[1])))
        return false;
    const auto out = layouts.getMainOutputChannelSet();
    // A bus that is optional may be switched off, like a real one.
    if (out == juce::AudioChannelSet::disabled())
        return variant_.optional_bus;
    return mono_or_stereo(out);
}

void processor::parameterValueChanged(int, float value)
{
    // Report at once, so a host that asks before rendering already sees it;
    // the delay itself follows at the next block.
    setLatencySamples(value >= 0.5f ? latency_samples : 0);
}

void processor::handle(const juce::MidiMessage& msg, std::uint64_t at_sample)
{
    if (msg.isNoteOn()) {
        const int note = msg.getNoteNumber();
        const int velocity = msg.getVelocity();
        if (on(p_print))
            print_noise("note-on", note, velocity);
        if (on(p_leak))
            leak_one_mib();
        if (on(p_crash))
            crash_now();
        if (on(p_abort))
            abort_now();
        if (on(p_exit))
            exit_now();
        if (on(p_hang))
            hang_now();
        const std::uint64_t k0 =
            (on(p_history) ? at_sample : 0) + (variant_.juce_random ? random_start_index(sample_rate_) : 0);
        voices_.note_on(note, velocity, static_cast<double>(values_[p_level]->get()), k0);
    } else if (msg.isNoteOff()) {
        voices_.note_off(msg.getNoteNumber(), release_samples(values_[p_release]->get(), sample_rate_));
    } else if (msg.isAllSoundOff()) {
        voices_.reset(sample_rate_);
    } else if (msg.isAllNotesOff()) {
        voices_.release_all(release_samples(values_[p_release]->get(), sample_rate_));
    }
}

void processor::processBlock(juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi)
{
    juce::ScopedNoDenormals no_denormals;

    const bool want_delay = on(p_latency);
    if (want_delay != delaying_) {
        delaying_ = want_delay;
        for (auto& d : delays_)
            d.clear();
        setLatencySamples(delaying_ ? latency_samples : 0);
    }

    const int n = buffer.getNumSamples();
    const int channels =
        std::min({buffer.getNumChannels(), getTotalNumOutputChannels(), static_cast<int>(delays_.size())});
    const bus_input main_in = input_bus(*this, buffer, 0);
    const bus_input side_in = variant_.sidechain ? input_bus(*this, buffer, 1) : bus_input{};
    // level 0.5 makes the gain exactly 1: the input comes back bit for bit.
    const double gain = 2.0 * static_cast<double>(values_[p_level]->get());
    const bool make_nan = on(p_nan);
    const std::uint64_t block_start = samples_processed_;
    int pos = 0;

    auto render_until = [&](int end) {
        std::array<float, 2> out{};
        for (; pos < end; ++pos) {
            const bool sounding = voices_.sounding();
            const double tone = voices_.next_sample();
            // All of a sample's inputs are read before any output is
            // written: the buses share the buffer's channels with the output.
            // A term is added only when its bus has channels, so that the
            // instrument and the effect stay as they were, to the bit.
            for (int c = 0; c < channels; ++c) {
                // The JUCE-random variant's right channel is its noise.
                const double voice = variant_.juce_random && c == 1 ? voices_.noise_sum() : tone;
                double y = main_in.count == 0 ? voice : main_in.at(c, pos) * gain + voice;
                if (side_in.count > 0)
                    y += side_in.at(c, pos);
                out[static_cast<std::size_t>(c)] = static_cast<float>(y);
            }
            for (int c = 0; c < channels; ++c) {
                float y = out[static_cast<std::size_t>(c)];
                if (make_nan && sounding)
                    y = std::numeric_limits<float>::quiet_NaN();
                if (delaying_)
                    y = delays_[static_cast<std::size_t>(c)].push(y);
                buffer.setSample(c, pos, y);
            }
        }
    };

    for (const auto event : midi) {
        const int at = std::clamp(event.samplePosition, 0, n);
        render_until(at);
        handle(event.getMessage(), block_start + static_cast<std::uint64_t>(at));
    }
    render_until(n);
    for (int c = channels; c < buffer.getNumChannels(); ++c)
        buffer.clear(c, 0, n);
    samples_processed_ += static_cast<std::uint64_t>(n);
    if (variant_.play_head)
        report_play_head(getPlayHead(), buffer, channels);
}

void processor::setCurrentProgram(int index)
{
    if (index < 0 || index >= getNumPrograms())
        return;
    current_program_ = index;
    values_[p_level]->setValueNotifyingHost(factory_programs[static_cast<std::size_t>(index)].level);
}

const juce::String processor::getProgramName(int index)
{
    if (index < 0 || index >= getNumPrograms())
        return {};
    return factory_programs[static_cast<std::size_t>(index)].name;
}

void processor::set_crc(std::uint32_t crc)
{
    state_crc_.store(crc);
    for (auto* p : readouts_)
        p->sendValueChangedMessageToListeners(p->getValue());
}

} // namespace vr::test_synth

juce::AudioProcessor* JUCE_CALLTYPE createPluginFilter()
{
    return new vr::test_synth::processor();
}
