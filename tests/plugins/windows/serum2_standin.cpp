// SPDX-License-Identifier: GPL-3.0-or-later
// A stand-in for Serum 2's VST3 (Serum2.vst3), built from source for Windows
// by windows.mk with JUCE's VST3 wrapper. Its component state is what
// Serum 2's is at the byte level: the XferJson envelope with the header
// {"component": "processor", ...} (FORMATS.md). setState takes such an
// envelope and sounds as a function of its bytes (standin_sound.h); for
// anything else, a .SerumPreset's own envelope included, it falls back to
// its init patch, as Serum 2 does. It does not inflate the zstd payload
// (Debian has no mingw zstd): it checks the envelope and hashes the bytes.
// JUCE's wrapper hands setState's bytes to setStateInformation unchanged
// (it strips only a trailing "JUCEPrivateData" block, which an envelope,
// ending in its zstd frame, never has). It writes nothing to files.
#include <juce_audio_processors/juce_audio_processors.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "standin_sound.h"

namespace {

constexpr char xfer_magic[9] = {'X', 'f', 'e', 'r', 'J', 's', 'o', 'n', '\0'};
constexpr std::uint8_t zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};
constexpr std::uint32_t format_version = 2;

std::uint64_t le(const std::uint8_t* p, int bytes) {
    std::uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = v << 8 | p[i];
    return v;
}

bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A JSON object's text with the member "component": "processor". Not a
// parser: what Serum 2 and render-one write passes, a preset's header
// (fileType, presetName, ..., no component) does not.
bool names_processor(const char* text, std::size_t size) {
    std::size_t b = 0, e = size;
    while (b < e && space(text[b])) ++b;
    while (e > b && space(text[e - 1])) --e;
    if (e - b < 2 || text[b] != '{' || text[e - 1] != '}') return false;
    const std::string json(text + b, e - b);
    for (auto at = json.find("\"component\""); at != std::string::npos; at = json.find("\"component\"", at + 1)) {
        auto i = at + 11;
        while (i < json.size() && space(json[i])) ++i;
        if (i >= json.size() || json[i++] != ':') continue;
        while (i < json.size() && space(json[i])) ++i;
        if (json.compare(i, 11, "\"processor\"") == 0) return true;
    }
    return false;
}

// The processor envelope: magic, header length and header (a JSON object
// naming component processor), CBOR size (not 0), format version 2, and
// a zstd frame's magic starting the rest.
bool processor_envelope(const std::uint8_t* b, std::size_t n) {
    if (n < 17 || std::memcmp(b, xfer_magic, sizeof xfer_magic) != 0) return false;
    const std::uint64_t header = le(b + 9, 8);
    if (header > n - 17 || n - 17 - header < 8 + sizeof zstd_magic) return false;
    if (!names_processor(reinterpret_cast<const char*>(b + 17), static_cast<std::size_t>(header))) return false;
    const std::uint8_t* after = b + 17 + header;
    return le(after, 4) != 0 && le(after + 4, 4) == format_version &&
           std::memcmp(after + 8, zstd_magic, sizeof zstd_magic) == 0;
}

// The init patch's state: an envelope of the same shape whose payload is
// the CBOR of an empty map (0xa0) in a zstd frame.
std::vector<std::uint8_t> init_envelope() {
    const std::string header = R"({"component":"processor","product":"Serum2 stand-in"})";
    const std::uint8_t frame[] = {0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58, 0x09, 0x00, 0x00, 0xa0};
    std::vector<std::uint8_t> out(xfer_magic, xfer_magic + sizeof xfer_magic);
    auto put = [&](std::uint64_t v, int bytes) {
        for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    };
    put(header.size(), 8);
    out.insert(out.end(), header.begin(), header.end());
    put(1, 4);
    put(format_version, 4);
    out.insert(out.end(), frame, frame + sizeof frame);
    return out;
}

class serum2_standin : public juce::AudioProcessor {
public:
    serum2_standin()
        : AudioProcessor(BusesProperties().withOutput("Output", juce::AudioChannelSet::stereo(), true)),
          state_(init_envelope()) {
        standin_init(&voice_, 48000.0, state_.data(), state_.size());
    }

    const juce::String getName() const override { return JucePlugin_Name; }
    bool acceptsMidi() const override { return true; }
    bool producesMidi() const override { return false; }
    double getTailLengthSeconds() const override { return 0.0; }

    bool isBusesLayoutSupported(const BusesLayout& layout) const override {
        const auto out = layout.getMainOutputChannelSet();
        return layout.getMainInputChannelSet().isDisabled() &&
               (out == juce::AudioChannelSet::stereo() || out == juce::AudioChannelSet::mono());
    }

    void prepareToPlay(double rate, int) override {
        voice_.rate = rate > 0 ? rate : 48000.0;
        standin_silence(&voice_);
    }
    void releaseResources() override {}
    void reset() override { standin_silence(&voice_); }

    void processBlock(juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi) override {
        const int frames = buffer.getNumSamples();
        float* left = buffer.getWritePointer(0);
        float* right = buffer.getNumChannels() > 1 ? buffer.getWritePointer(1) : nullptr;
        int at = 0;
        for (const auto event : midi) {
            const int when = juce::jlimit(at, frames, event.samplePosition);
            standin_render(&voice_, left, right, at, when);
            at = when;
            if (event.numBytes == 3) standin_midi(&voice_, event.data);
        }
        standin_render(&voice_, left, right, at, frames);
        standin_end_call(&voice_, left, right, frames);
    }

    bool hasEditor() const override { return false; }
    juce::AudioProcessorEditor* createEditor() override { return nullptr; }

    int getNumPrograms() override { return 1; }
    int getCurrentProgram() override { return 0; }
    void setCurrentProgram(int) override {}
    const juce::String getProgramName(int) override { return "Init"; }
    void changeProgramName(int, const juce::String&) override {}

    void getStateInformation(juce::MemoryBlock& out) override { out.replaceAll(state_.data(), state_.size()); }

    void setStateInformation(const void* data, int size) override {
        const auto* bytes = static_cast<const std::uint8_t*>(data);
        if (size > 0 && processor_envelope(bytes, static_cast<std::size_t>(size)))
            state_.assign(bytes, bytes + size);
        else
            state_ = init_envelope();
        const double rate = voice_.rate;
        const std::int64_t calls = voice_.process_calls;
        standin_init(&voice_, rate, state_.data(), state_.size());
        voice_.process_calls = calls;
    }

private:
    std::vector<std::uint8_t> state_;  // the envelope the sound comes from
    standin_voice voice_;
};

}  // namespace

juce::AudioProcessor* JUCE_CALLTYPE createPluginFilter() { return new serum2_standin(); }
