// SPDX-License-Identifier: GPL-3.0-or-later
#include "host/faust_instance.hpp"

#include <faust/dsp/interpreter-dsp.h>
#include <faust/dsp/poly-dsp.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "core/error.hpp"
#include "host/faust_program.hpp"

// Faust's GUI keeps every UI in one list (poly-dsp.h's grouped voices):
// its headers leave the definitions to the program.
std::list<GUI*> GUI::fGuiList;
ztimedmap GUI::gTimedZoneMap;

namespace vr::host {

namespace {

constexpr int max_compute_frames = 4096;  // poly-dsp.h's MIX_BUFFER_SIZE

// One control of the program's UI.
struct faust_control {
    std::string path, label;
    FAUSTFLOAT* zone = nullptr;
    float init = 0, min = 0, max = 1;
};

bool ends_with(const std::string& s, const char* tail) {
    const std::size_t n = std::strlen(tail);
    return s.size() >= n && s.compare(s.size() - n, n, tail) == 0;
}

// The controls a host may set. In a polyphonic program, the grouped voices'
// controls (their path without the "/Polyphonic/Voices" poly-dsp.h puts
// before it), less the ones the notes play (freq, gain, gate) and Panic.
class control_list : public UI {
public:
    explicit control_list(bool poly) : poly_(poly) {}
    std::vector<faust_control> controls;

    void openTabBox(const char* label) override { boxes_.emplace_back(label); }
    void openHorizontalBox(const char* label) override { boxes_.emplace_back(label); }
    void openVerticalBox(const char* label) override { boxes_.emplace_back(label); }
    void closeBox() override {
        if (!boxes_.empty()) boxes_.pop_back();
    }
    void addButton(const char* label, FAUSTFLOAT* zone) override { add(label, zone, 0, 0, 1); }
    void addCheckButton(const char* label, FAUSTFLOAT* zone) override { add(label, zone, 0, 0, 1); }
    void addVerticalSlider(const char* l, FAUSTFLOAT* z, FAUSTFLOAT i, FAUSTFLOAT lo, FAUSTFLOAT hi, FAUSTFLOAT) override {
        add(l, z, i, lo, hi);
    }
    void addHorizontalSlider(const char* l, FAUSTFLOAT* z, FAUSTFLOAT i, FAUSTFLOAT lo, FAUSTFLOAT hi, FAUSTFLOAT) override {
        add(l, z, i, lo, hi);
    }
    void addNumEntry(const char* l, FAUSTFLOAT* z, FAUSTFLOAT i, FAUSTFLOAT lo, FAUSTFLOAT hi, FAUSTFLOAT) override {
        add(l, z, i, lo, hi);
    }
    void addHorizontalBargraph(const char*, FAUSTFLOAT*, FAUSTFLOAT, FAUSTFLOAT) override {}
    void addVerticalBargraph(const char*, FAUSTFLOAT*, FAUSTFLOAT, FAUSTFLOAT) override {}
    void addSoundfile(const char*, const char*, Soundfile**) override {}
    void declare(FAUSTFLOAT*, const char*, const char*) override {}

private:
    void add(const char* label, FAUSTFLOAT* zone, float init, float lo, float hi) {
        std::vector<std::string> parts = boxes_;
        // Only the grouped voices: each voice's own copy is not a control.
        if (poly_) {
            if (parts.size() < 2 || parts[0] != "Polyphonic" || parts[1] != "Voices") return;
            parts.erase(parts.begin(), parts.begin() + 2);
        }
        std::string path;
        for (const auto& p : parts) path += "/" + p;
        path += "/" + std::string(label);
        if (poly_) {
            if (path == "/Panic") return;
            for (const char* played : {"/gate", "/freq", "/key", "/gain", "/vel", "/velocity"})
                if (ends_with(path, played)) return;
        }
        controls.push_back({path, label, zone, init, lo, std::max(hi, lo)});
    }
    bool poly_;
    std::vector<std::string> boxes_;
};

// The program's declarations: its name, version and [nvoices:N] option.
struct program_meta : Meta {
    std::string name, version;
    int nvoices = 0;
    void declare(const char* key, const char* value) override {
        const std::string k = key, v = value;
        if (k == "name") name = v;
        if (k == "version") version = v;
        if (k == "options")
            if (auto at = v.find("[nvoices:"); at != std::string::npos) nvoices = std::atoi(v.c_str() + at + 9);
    }
};

// A control as a parameter: normalised 0..1 over its range, named by its
// label, its full path as its id.
class faust_parameter : public juce::AudioProcessorParameterWithID {
public:
    explicit faust_parameter(const faust_control& c)
        : AudioProcessorParameterWithID(juce::ParameterID(juce::String(c.path)), juce::String(c.label)), c_(c) {}
    float getValue() const override { return normalise(*c_.zone); }
    void setValue(float v) override { *c_.zone = static_cast<FAUSTFLOAT>(c_.min + std::clamp(v, 0.0f, 1.0f) * (c_.max - c_.min)); }
    float getDefaultValue() const override { return normalise(c_.init); }
    juce::String getText(float v, int) const override { return juce::String(c_.min + v * (c_.max - c_.min), 4); }
    float getValueForText(const juce::String& text) const override { return normalise(text.getFloatValue()); }

private:
    float normalise(float x) const { return c_.max > c_.min ? std::clamp((x - c_.min) / (c_.max - c_.min), 0.0f, 1.0f) : 0.0f; }
    faust_control c_;
};

juce::AudioChannelSet channel_set(int n) {
    return n <= 2 ? juce::AudioChannelSet::canonicalChannelSet(n) : juce::AudioChannelSet::discreteChannels(n);
}

class faust_processor : public juce::AudioPluginInstance {
public:
    faust_processor(std::unique_ptr<dsp> program, int voices, std::string name, std::string version, std::string location)
        : faust_processor(voices > 0 ? std::make_unique<mydsp_poly>(program.release(), voices, true, true)
                                     : std::move(program),
                          voices > 0, std::move(name), std::move(version), std::move(location)) {}

    const juce::String getName() const override { return name_; }
    void fillInPluginDescription(juce::PluginDescription& d) const override {
        d.name = name_;
        d.descriptiveName = name_;
        d.pluginFormatName = "Faust";
        d.category = poly_ ? "Synth" : "Effect";
        d.version = version_;
        d.fileOrIdentifier = location_;
        d.isInstrument = poly_ != nullptr;
        d.numInputChannels = dsp_->getNumInputs();
        d.numOutputChannels = dsp_->getNumOutputs();
    }
    void prepareToPlay(double rate, int block) override {
        if (static_cast<int>(rate) != dsp_->getSampleRate()) dsp_->init(static_cast<int>(rate));
        for (auto& s : scratch_) s.assign(static_cast<std::size_t>(std::min(std::max(block, 1), max_compute_frames)), 0.0f);
    }
    void releaseResources() override {}
    void reset() override {
        if (poly_) poly_->allNotesOff(true);
        dsp_->instanceClear();
    }
    bool isBusesLayoutSupported(const BusesLayout& l) const override {
        return l.getMainInputChannels() == dsp_->getNumInputs() && l.getMainOutputChannels() == dsp_->getNumOutputs();
    }
    void processBlock(juce::AudioBuffer<float>& buffer, juce::MidiBuffer& midi) override {
        if (poly_) GUI::updateAllGuis();  // parameters set since: to every voice
        const int n = buffer.getNumSamples();
        int pos = 0;
        for (const auto event : midi) {
            const int at = std::clamp(event.samplePosition, pos, n);
            compute(buffer, pos, at - pos);
            pos = at;
            if (poly_) play(event.getMessage());
        }
        compute(buffer, pos, n - pos);
    }
    double getTailLengthSeconds() const override { return 0; }
    // A program without inputs and voices is a source: it takes the job's
    // notes (and ignores them) so that it renders as an instrument does.
    bool acceptsMidi() const override { return poly_ || dsp_->getNumInputs() == 0; }
    bool producesMidi() const override { return false; }
    juce::AudioProcessorEditor* createEditor() override { return nullptr; }
    bool hasEditor() const override { return false; }
    int getNumPrograms() override { return 0; }
    int getCurrentProgram() override { return 0; }
    void setCurrentProgram(int) override {}
    const juce::String getProgramName(int) override { return {}; }
    void changeProgramName(int, const juce::String&) override {}
    // The state is every control's value, in order.
    void getStateInformation(juce::MemoryBlock& out) override {
        out.reset();
        for (auto* p : getParameters()) {
            const float v = p->getValue();
            out.append(&v, sizeof v);
        }
    }
    void setStateInformation(const void* data, int bytes) override {
        const auto& params = getParameters();
        for (int i = 0; i < params.size() && (i + 1) * static_cast<int>(sizeof(float)) <= bytes; ++i) {
            float v;
            std::memcpy(&v, static_cast<const char*>(data) + i * sizeof(float), sizeof v);
            params[i]->setValue(v);
        }
    }

private:
    static BusesProperties buses_of(int inputs, int outputs) {
        BusesProperties b;
        if (inputs > 0) b = b.withInput("Input", channel_set(inputs), true);
        if (outputs > 0) b = b.withOutput("Output", channel_set(outputs), true);
        return b;
    }

    faust_processor(std::unique_ptr<dsp> d, bool poly, std::string name, std::string version, std::string location)
        : AudioPluginInstance(buses_of(d->getNumInputs(), d->getNumOutputs())),
          dsp_(std::move(d)),
          poly_(poly ? static_cast<mydsp_poly*>(dsp_.get()) : nullptr),
          name_(std::move(name)),
          version_(std::move(version)),
          location_(std::move(location)),
          scratch_(static_cast<std::size_t>(dsp_->getNumOutputs())) {
        control_list list(poly);
        dsp_->buildUserInterface(&list);
        // AudioPluginInstance hides addParameter; parameters with ids are
        // what find_parameter matches a path against.
        for (const auto& c : list.controls)
            static_cast<juce::AudioProcessor*>(this)->addParameter(new faust_parameter(c));
    }

    void play(const juce::MidiMessage& m) {
        if (m.isNoteOn()) {
            poly_->keyOn(m.getChannel() - 1, m.getNoteNumber(), m.getVelocity());
        } else if (m.isNoteOff()) {
            poly_->keyOff(m.getChannel() - 1, m.getNoteNumber(), m.getVelocity());
        } else if (m.isAllNotesOff() || m.isAllSoundOff()) {
            poly_->allNotesOff();
        }
    }

    // Frames [pos, pos + len): inputs read from the buffer, outputs written
    // to scratch first (Faust may read an input after writing an output).
    void compute(juce::AudioBuffer<float>& buffer, int pos, int len) {
        const int ins = dsp_->getNumInputs(), outs = dsp_->getNumOutputs();
        std::vector<FAUSTFLOAT*> in(static_cast<std::size_t>(ins)), out(static_cast<std::size_t>(outs));
        while (len > 0) {
            const int step = std::min({len, max_compute_frames, static_cast<int>(scratch_.empty() ? len : scratch_[0].size())});
            for (int c = 0; c < ins; ++c) in[static_cast<std::size_t>(c)] = buffer.getWritePointer(c) + pos;
            for (int c = 0; c < outs; ++c) out[static_cast<std::size_t>(c)] = scratch_[static_cast<std::size_t>(c)].data();
            dsp_->compute(step, in.data(), out.data());
            for (int c = 0; c < outs && c < buffer.getNumChannels(); ++c)
                std::copy_n(scratch_[static_cast<std::size_t>(c)].data(), step, buffer.getWritePointer(c) + pos);
            pos += step;
            len -= step;
        }
    }

    std::unique_ptr<dsp> dsp_;
    mydsp_poly* poly_;
    juce::String name_, version_, location_;
    std::vector<std::vector<FAUSTFLOAT>> scratch_;
};

// Faust programs need no scanning: the format exists for plugin_create's sake.
class faust_plugin_format : public juce::AudioPluginFormat {
public:
    juce::String getName() const override { return "Faust"; }
    void findAllTypesForFile(juce::OwnedArray<juce::PluginDescription>&, const juce::String&) override {}
    bool fileMightContainThisPluginType(const juce::String& f) override { return f.endsWith(".dsp"); }
    juce::String getNameOfPluginFromIdentifier(const juce::String& f) override { return f; }
    bool pluginNeedsRescanning(const juce::PluginDescription&) override { return false; }
    bool doesPluginStillExist(const juce::PluginDescription&) override { return true; }
    bool canScanForPlugins() const override { return false; }
    bool isTrivialToScan() const override { return true; }
    juce::StringArray searchPathsForPlugins(const juce::FileSearchPath&, bool, bool) override { return {}; }
    juce::FileSearchPath getDefaultLocationsToSearch() override { return {}; }
    bool requiresUnblockedMessageThreadDuringCreation(const juce::PluginDescription&) const override { return false; }

private:
    void createPluginInstance(const juce::PluginDescription&, double, int, PluginCreationCallback done) override {
        done(nullptr, "Faust programs are made by create_faust_instance");
    }
};

}  // namespace

juce::AudioPluginFormat& faust_format() {
    static faust_plugin_format format;
    return format;
}

std::unique_ptr<juce::AudioPluginInstance> create_faust_instance(const plugin_ref& ref, int sample_rate,
                                                                 int block_size, juce::PluginDescription& desc) {
    std::unique_ptr<faust_processor> plugin;
    try {
        interpreter_dsp_factory& factory = faust_factory(ref);
        std::unique_ptr<dsp> program(factory.createDSPInstance());
        if (!program) throw record_error("Faust could not make an instance of " + ref.location);
        program_meta meta;
        program->metadata(&meta);
        const int voices = faust_settings().voices.value_or(meta.nvoices);
        std::string name = meta.name;
        if (name.empty()) name = ref.code.empty() ? std::filesystem::path(ref.location).stem().string() : "faust_code";
        plugin = std::make_unique<faust_processor>(std::move(program), std::max(0, voices), name, meta.version,
                                                   ref.location);
    } catch (const std::bad_alloc&) {
        throw record_error("the Faust program " + ref.location + " ran out of memory");
    }
    plugin->fillInPluginDescription(desc);
    plugin->setRateAndBufferSizeDetails(sample_rate, block_size);
    plugin->prepareToPlay(sample_rate, block_size);
    return plugin;
}

}  // namespace vr::host
