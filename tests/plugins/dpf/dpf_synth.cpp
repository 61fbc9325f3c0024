// SPDX-License-Identifier: GPL-3.0-or-later
// vr-dpf-synth: a sine instrument on the DISTRHO Plugin Framework, built
// from this one source for Linux (VST2, VST3, LV2) and Windows (VST2, VST3).
// Every sample is made of IEEE +, -, *, / in double, in a fixed order, with
// no libm call: the builds agree bit for bit (README.md gives the formulas).
// dpf.mk compiles it with -ffp-contract=off, and never with -ffast-math.
#include "DistrhoPlugin.hpp"

#include <cstdint>

START_NAMESPACE_DISTRHO

namespace {

enum parameter_index : uint32_t { p_level, p_release, p_octave, p_peak, p_count };

constexpr double two_pi = 6.283185307179586;

// 2^(i / 12), i = 0..11, as the decimal literals the compiler rounds once.
constexpr double semitone[12] = {
    1.0,
    1.0594630943592953,
    1.122462048309373,
    1.189207115002721,
    1.2599210498948732,
    1.3348398541700344,
    1.4142135623730951,
    1.4983070768766815,
    1.5874010519682,
    1.681792830507429,
    1.7817974362806785,
    1.887748625363387,
};

// 440 Hz x 2^((note - 69) / 12 + octave), the power of two by doublings
// and halvings (exact).
double note_hz(int note, int octave)
{
    int steps = note - 69;
    int octaves = (steps >= 0 ? steps : steps - 11) / 12;
    double f = 440.0 * semitone[steps - 12 * octaves];
    for (octaves += octave; octaves > 0; --octaves)
        f *= 2.0;
    for (; octaves < 0; ++octaves)
        f *= 0.5;
    return f;
}

// sin(2 pi p) for a phase p in [0, 1) turns: folded into [-1/4, 1/4] turn,
// then the Taylor polynomial to z^13 (error under 1e-9 at pi/2).
double sine_turns(double p)
{
    double x = p >= 0.5 ? p - 1.0 : p;
    if (x > 0.25)
        x = 0.5 - x;
    else if (x < -0.25)
        x = -0.5 - x;
    const double z = x * two_pi;
    const double z2 = z * z;
    double s = 1.0 / 6227020800.0;
    s = -1.0 / 39916800.0 + z2 * s;
    s = 1.0 / 362880.0 + z2 * s;
    s = -1.0 / 5040.0 + z2 * s;
    s = 1.0 / 120.0 + z2 * s;
    s = -1.0 / 6.0 + z2 * s;
    s = 1.0 + z2 * s;
    return z * s;
}

struct voice {
    bool sounding = false;
    bool releasing = false;
    double phase = 0.0;  // turns, [0, 1)
    double step = 0.0;   // turns per sample
    double amp = 0.0;
    uint32_t release_left = 0, release_length = 0;
};

} // namespace

class dpf_synth final : public Plugin {
public:
    dpf_synth() : Plugin(p_count, 0, 0) {}

protected:
    const char* getLabel() const override { return "vr_dpf_synth"; }
    const char* getDescription() const override { return "vst-render DPF test instrument"; }
    const char* getMaker() const override { return "vst-render"; }
    const char* getLicense() const override { return "GPL-3.0-or-later"; }
    uint32_t getVersion() const override { return d_version(1, 0, 0); }
    int64_t getUniqueId() const override { return d_cconst('V', 'r', 'd', 's'); }

    void initParameter(uint32_t index, Parameter& p) override
    {
        p.ranges.min = 0.0f;
        p.ranges.max = 1.0f;
        switch (index) {
        case p_level:
            p.hints = kParameterIsAutomatable;
            p.name = p.symbol = "level";
            p.ranges.def = 0.5f;
            break;
        case p_release:
            p.hints = kParameterIsAutomatable;
            p.name = p.symbol = "release";
            p.unit = "s";
            p.ranges.def = 0.1f;
            break;
        case p_octave:
            p.hints = kParameterIsAutomatable | kParameterIsBoolean | kParameterIsInteger;
            p.name = p.symbol = "octave";
            p.ranges.def = 0.0f;
            break;
        case p_peak:
            p.hints = kParameterIsOutput;
            p.name = p.symbol = "peak";
            p.ranges.def = 0.0f;
            break;
        }
        values_[index] = p.ranges.def;
    }

    float getParameterValue(uint32_t index) const override { return index < p_count ? values_[index] : 0.0f; }

    void setParameterValue(uint32_t index, float value) override
    {
        if (index < p_peak)
            values_[index] = value;
    }

    // A host's activate (VST2 resume, VST3 setActive, LV2 activate)
    // silences every voice, as the JUCE test synth's prepareToPlay does.
    void activate() override
    {
        for (voice& v : voices_)
            v = voice{};
    }

    void run(const float**, float** outputs, uint32_t frames, const MidiEvent* events, uint32_t event_count) override
    {
        float peak = 0.0f;
        uint32_t at = 0;
        for (uint32_t i = 0; i <= event_count; ++i) {
            const uint32_t until = i < event_count ? (events[i].frame < frames ? events[i].frame : frames) : frames;
            for (; at < until; ++at) {
                const float y = static_cast<float>(next_sample());
                outputs[0][at] = outputs[1][at] = y;
                const float a = y < 0.0f ? -y : y;
                if (a > peak)
                    peak = a;
            }
            if (i < event_count && events[i].size <= MidiEvent::kDataSize)
                handle_midi(events[i].data);
        }
        values_[p_peak] = peak;
    }

private:
    double next_sample()
    {
        double sum = 0.0;
        for (voice& v : voices_) {
            if (!v.sounding)
                continue;
            double env = 1.0;
            if (v.releasing) {
                if (v.release_left == 0) {
                    v.sounding = false;
                    continue;
                }
                env = 1.0 - static_cast<double>(v.release_length - v.release_left) / static_cast<double>(v.release_length);
                --v.release_left;
            }
            sum += v.amp * env * sine_turns(v.phase);
            v.phase += v.step;
            if (v.phase >= 1.0)
                v.phase -= 1.0;
        }
        return sum;
    }

    void handle_midi(const uint8_t* m)
    {
        const int kind = m[0] & 0xf0, note = m[1] & 0x7f, velocity = m[2] & 0x7f;
        if (kind == 0x90 && velocity > 0) {
            voice& v = voices_[note];
            v = voice{};
            v.sounding = true;
            v.step = note_hz(note, values_[p_octave] >= 0.5f ? 1 : 0) / getSampleRate();
            v.amp = (velocity / 127.0) * static_cast<double>(values_[p_level]);
        } else if (kind == 0x80 || kind == 0x90) {
            release(voices_[note]);
        } else if (kind == 0xb0 && note == 123) {
            for (voice& v : voices_)
                release(v);
        } else if (kind == 0xb0 && note == 120) {
            for (voice& v : voices_)
                v.sounding = false;
        }
    }

    void release(voice& v)
    {
        if (!v.sounding || v.releasing)
            return;
        double r = static_cast<double>(values_[p_release]);
        r = r < 0.0 ? 0.0 : r > 1.0 ? 1.0 : r;
        v.releasing = true;
        v.release_length = v.release_left = static_cast<uint32_t>(r * getSampleRate() + 0.5);
        if (v.release_length == 0)
            v.sounding = false;
    }

    float values_[p_count] = {};
    voice voices_[128];

    DISTRHO_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR(dpf_synth)
};

Plugin* createPlugin()
{
    return new dpf_synth();
}

END_NAMESPACE_DISTRHO
