// SPDX-License-Identifier: GPL-3.0-or-later
#include "host/plugin_create.hpp"
#include "host/plugin_impl.hpp"
#include "host/plugin_instance.hpp"
#include "host/preset_apply.hpp"

#include <juce_audio_processors/juce_audio_processors.h>
#include <pluginterfaces/vst/ivstaudioprocessor.h>
#include <pluginterfaces/vst/ivstcomponent.h>
// fst-dev's free VST2 header completes the ::AEffect JUCE's VST2 client
// extension hands out, for its initialDelay.
#define FST2VST 1
#include <pluginterfaces/fst/fst.h>  // its #warnings: host.mk passes -Wno-cpp

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/error.hpp"
#include "core/memory.hpp"
#include "core/text.hpp"
#include "render/plugin_file.hpp"

namespace vr::host {

namespace {

// preset-scan writes a VST2 fxID as its four characters when printable.
std::string vst2_id(int uid) {
    auto u = static_cast<std::uint32_t>(uid);
    std::string s;
    for (int shift = 24; shift >= 0; shift -= 8) {
        char c = static_cast<char>((u >> shift) & 0xFF);
        if (c < 0x20 || c > 0x7E) {
            char hex[16];
            std::snprintf(hex, sizeof hex, "0x%08X", u);
            return hex;
        }
        s += c;
    }
    return s;
}

// JUCE's hosts learn of a new latency through requests a plugin may post
// asynchronously (never delivered in a forked child): ask the plugin itself.
struct latency_reader : juce::ExtensionsVisitor {
    int latency = -1;
    void visitVST3Client(const VST3Client& client) override {
        auto* component = client.getIComponentPtr();
        if (!component) return;
        void* found = nullptr;
        if (component->queryInterface(Steinberg::Vst::IAudioProcessor::iid, &found) != Steinberg::kResultOk || !found)
            return;
        auto* processor = static_cast<Steinberg::Vst::IAudioProcessor*>(found);
        latency = static_cast<int>(processor->getLatencySamples());
        processor->release();
    }
    void visitVSTClient(const VSTClient& client) override {
        if (const AEffect* effect = client.getAEffectPtr()) latency = effect->initialDelay;
    }
};

int reported_latency(juce::AudioPluginInstance& plugin) {
    latency_reader reader;
    plugin.getExtensions(reader);
    return reader.latency >= 0 ? reader.latency : plugin.getLatencySamples();
}

// Why key names no parameter, with what it might have meant: the
// nearest names (a typo is easy to mend), or the range of indexes.
std::string no_such_parameter(const std::string& key, const juce::Array<juce::AudioProcessorParameter*>& params) {
    const std::string count = std::to_string(params.size());
    if (!key.empty() && key.find_first_not_of("0123456789") == std::string::npos)
        return "'" + key + "': it has " + count +
               (params.isEmpty() ? "" : ", indexes 0 to " + std::to_string(params.size() - 1));
    std::vector<std::string> names;
    for (auto* param : params) names.push_back(param->getName(1024).toStdString());
    // Suggestions that rewrite a third of the word or more are noise, not help.
    auto nearest = closest_matches(key, names, 5, std::max<std::size_t>(2, (key.size() + 2) / 3));
    std::string out = "'" + key + "'; ";
    if (nearest.empty()) {
        out += "no name of its " + count + " is close";
    } else {
        out += "the nearest of its " + count + ": ";
        for (std::size_t k = 0; k < nearest.size(); ++k)
            out += (k ? ", '" : "'") + names[nearest[k]] + "' (" + std::to_string(nearest[k]) + ")";
    }
    return out + " (a job rendered with --params lists them all)";
}

// The plugin's buses for an error message: "input buses: none; output
// buses: 'Output' (Stereo, off)", a bus that is off named by the layout it
// would take.
std::string describe_buses(const juce::AudioProcessor& plugin) {
    std::string out;
    for (bool input : {true, false}) {
        out += input ? "input buses: " : "; output buses: ";
        const int n = plugin.getBusCount(input);
        if (n == 0) out += "none";
        for (int i = 0; i < n; ++i) {
            const auto* bus = plugin.getBus(input, i);
            const auto& layout = bus->isEnabled() ? bus->getCurrentLayout() : bus->getLastEnabledLayout();
            out += (i ? ", '" : "'") + bus->getName().toStdString() + "' (" + layout.getDescription().toStdString() +
                   (bus->isEnabled() ? ")" : ", off)");
        }
    }
    return out;
}

// JUCE's hosts leave off a bus the plugin says may be off (an LV2 port
// lv2:connectionOptional, a VST3 bus not kDefaultActive) until the host
// switches it on, and a JUCE-built instrument declares its only output so
// when that bus is not enabled by default. The main buses go on before
// prepareToPlay, in every format; other buses (side chains, extra outputs)
// stay as the plugin set them. A main input that will not go on is left
// off: render-one feeds it silence anyway.
// Frames [pos, pos + len) of the input, de-interleaved into the buffer's
// first channels (the main input bus); silence past its end.
void feed_input(const audio_buffer& input, std::int64_t pos, int len, int channels, juce::AudioBuffer<float>& buffer) {
    const auto frames = static_cast<std::int64_t>(input.frames());
    const int n = static_cast<int>(std::clamp<std::int64_t>(frames - pos, 0, len));
    if (n == 0) return;
    for (int c = 0; c < channels; ++c) {
        float* out = buffer.getWritePointer(c);
        const float* in = input.samples.data() + pos * input.channels + c;
        for (int i = 0; i < n; ++i) out[i] = in[static_cast<std::ptrdiff_t>(i) * input.channels];
    }
}

void enable_main_buses(juce::AudioPluginInstance& plugin, const std::string& location) {
    if (plugin.getBusCount(false) == 0)
        throw record_error("plugin " + location + " has no audio output: it declares no output bus");
    auto* main_out = plugin.getBus(false, 0);
    if (!main_out->isEnabled() && !main_out->enable())
        throw record_error("plugin " + location + " has no audio output: its main output bus '" +
                           main_out->getName().toStdString() + "' is off and would not switch on (" +
                           describe_buses(plugin) + ")");
    if (auto* main_in = plugin.getBus(true, 0); main_in && !main_in->isEnabled()) main_in->enable();
    if (plugin.getTotalNumOutputChannels() < 1)
        throw record_error("plugin " + location + " has no audio output (" + describe_buses(plugin) + ")");
}

}  // namespace

// JUCE's hosts log every load on stderr; the records say what matters.
struct quiet_logger : juce::Logger {
    void logMessage(const juce::String&) override {}
};

struct juce_runtime::impl {
    juce::ScopedJuceInitialiser_GUI gui;
    quiet_logger logger;
    juce::AudioPluginFormatManager formats;
};

juce_runtime::juce_runtime() : p_(std::make_unique<impl>()) {
    juce::Logger::setCurrentLogger(&p_->logger);
    use_formats(&p_->formats);
}

juce_runtime::~juce_runtime() {
    use_formats(nullptr);
    juce::Logger::setCurrentLogger(nullptr);
}

plugin_instance::plugin_instance(std::unique_ptr<impl> p) : p_(std::move(p)) {}

plugin_instance::~plugin_instance() {
    if (p_ && p_->plugin) p_->plugin->releaseResources();
}

std::unique_ptr<plugin_instance> plugin_instance::load(const plugin_ref& ref, int sample_rate, int block_size,
                                                       bool skip_program_walk) {
    auto& fmt = format_for(ref.format);
    std::string id = identifier_for(ref, fmt);
    juce::PluginDescription description;
    auto plugin = create_instance(ref, fmt, id, sample_rate, block_size, description, skip_program_walk);
    const juce::PluginDescription* desc = &description;
    plugin->setNonRealtime(true);
    enable_main_buses(*plugin, ref.location);
    plugin->setRateAndBufferSizeDetails(sample_rate, block_size);
    plugin->prepareToPlay(sample_rate, block_size);

    auto p = std::make_unique<impl>();
    p->block_size = block_size;
    p->info.name = desc->name.toStdString();
    p->info.format = to_string(ref.format);
    p->info.version = desc->version.toStdString();
    switch (ref.format) {
        case plugin_format::vst2: p->info.id = vst2_id(desc->uniqueId); break;
        case plugin_format::vst3: p->info.id = vst3_class_id(*plugin); break;
        case plugin_format::lv2: p->info.id = id; break;
    }
    p->info.latency_samples = std::max(0, plugin->getLatencySamples());
    p->info.input_channels = plugin->getTotalNumInputChannels();
    p->info.output_channels = plugin->getTotalNumOutputChannels();
    p->info.accepts_midi = plugin->acceptsMidi();
    if (auto* main_in = plugin->getBus(true, 0); main_in && main_in->isEnabled())
        p->info.main_input_channels = main_in->getNumberOfChannels();
    p->info.buses = describe_buses(*plugin);
    if (p->info.output_channels < 1)
        throw record_error("plugin " + ref.location + " has no audio output after prepareToPlay (" +
                           describe_buses(*plugin) + ")");
    p->plugin = std::move(plugin);
    return std::unique_ptr<plugin_instance>(new plugin_instance(std::move(p)));
}

const plugin_info& plugin_instance::info() const { return p_->info; }

int plugin_instance::program_count() const { return p_->plugin->getNumPrograms(); }

std::string plugin_instance::program_name(int index) const {
    return p_->plugin->getProgramName(index).toStdString();
}

int plugin_instance::current_program() const { return p_->plugin->getCurrentProgram(); }

void plugin_instance::select_program(int index) {
    int n = program_count();
    if (index < 0 || index >= n)
        throw record_error("program_index " + std::to_string(index) + " is out of range: the plugin has " +
                           std::to_string(n) + " programs");
    p_->plugin->setCurrentProgram(index);
    if (p_->plugin->getCurrentProgram() != index)
        throw record_error("the plugin did not switch to program " + std::to_string(index));
}

void plugin_instance::set_parameter(const std::string& key, double value) {
    const auto& params = p_->plugin->getParameters();
    juce::AudioProcessorParameter* found = nullptr;
    if (!key.empty() && key.find_first_not_of("0123456789") == std::string::npos && key.size() < 9) {
        int index = std::stoi(key);
        if (index < params.size()) found = params[index];
    } else {
        for (auto* param : params) {
            auto* with_id = dynamic_cast<juce::AudioProcessorParameterWithID*>(param);
            if (param->getName(1024).toStdString() == key || (with_id && with_id->paramID.toStdString() == key)) {
                found = param;
                break;
            }
        }
    }
    if (!found) throw record_error("set_params: the plugin has no parameter " + no_such_parameter(key, params));
    found->setValueNotifyingHost(static_cast<float>(value));
}

void plugin_instance::reset() { p_->plugin->reset(); }

audio_buffer plugin_instance::render(const play_plan& plan, int channels, render_stats* stats,
                                     const audio_buffer* input) {
    auto& plugin = *p_->plugin;
    const int outs = plugin.getTotalNumOutputChannels();
    const int width = std::max({plugin.getTotalNumInputChannels(), outs, 1});
    // A plugin may change its latency while playing (a parameter set for the
    // job reaches it with the first block; VST3 and LV2 report it after a
    // block): render until the last value reported is covered, then cut it.
    const std::int64_t max_latency = static_cast<std::int64_t>(plugin.getSampleRate()) * 10;
    auto latency = [&] { return std::clamp<std::int64_t>(reported_latency(plugin), 0, max_latency); };

    // Rendered straight into the buffer handed back: a second copy would
    // cost a page fault per page in a forked child.
    audio_buffer out;
    out.channels = channels;
    out.sample_rate = static_cast<int>(plugin.getSampleRate());
    std::vector<float>& rendered = out.samples;
    rendered.reserve(static_cast<std::size_t>(plan.frames + latency()) * channels);
    map_ahead(rendered.data(), rendered.capacity() * sizeof(float));
    juce::AudioBuffer<float> buffer(width, p_->block_size);
    juce::MidiBuffer midi;
    std::size_t next = 0;
    std::int64_t pos = 0;
    double process_s = 0;
    auto render_block = [&](int len) {
        buffer.setSize(width, len, false, false, true);
        buffer.clear();
        if (input) feed_input(*input, pos, len, std::min(input->channels, p_->info.main_input_channels), buffer);
        midi.clear();
        for (; next < plan.messages.size() && plan.messages[next].frame < pos + len; ++next) {
            const auto& m = plan.messages[next];
            midi.addEvent(m.bytes.data(), static_cast<int>(m.bytes.size()),
                          static_cast<int>(std::max<std::int64_t>(0, m.frame - pos)));
        }
        auto started = std::chrono::steady_clock::now();
        plugin.processBlock(buffer, midi);
        process_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

        const float* left = buffer.getReadPointer(0);
        const float* right = buffer.getReadPointer(outs > 1 ? 1 : 0);
        for (int i = 0; i < len; ++i) {
            if (channels == 1) {
                rendered.push_back(outs > 1 ? 0.5f * (left[i] + right[i]) : left[i]);
            } else {
                rendered.push_back(left[i]);
                rendered.push_back(right[i]);
            }
        }
        pos += len;
    };
    while (pos < plan.frames + latency())
        render_block(static_cast<int>(std::min<std::int64_t>(p_->block_size, plan.frames + latency() - pos)));

    std::int64_t skip_frames = latency();
    std::int64_t want_frames = plan.frames;
    if (plan.until_silence) {
        // Scan the output (latency cut) from the plan's end; whole blocks
        // are rendered as needed, so the same job always stops alike.
        const auto& tail = *plan.until_silence;
        const double threshold = std::pow(10.0, tail.silence_db / 20.0);
        std::int64_t at = plan.frames, quiet = 0;
        bool capped = false;
        for (;;) {
            if (quiet >= tail.hold_frames) break;
            if (at - plan.frames >= tail.max_frames) {
                capped = true;
                break;
            }
            if (at + skip_frames >= pos) {
                render_block(p_->block_size);
                continue;
            }
            bool loud = false;
            for (int c = 0; c < channels; ++c) {
                float x = rendered[static_cast<std::size_t>((at + skip_frames) * channels + c)];
                if (!(std::fabs(x) < threshold)) loud = true;  // NaN counts as loud
            }
            quiet = loud ? 0 : quiet + 1;
            ++at;
        }
        want_frames = at;
        if (stats) {
            stats->tail_frames = at - plan.frames;
            stats->tail_capped = capped;
        }
    }
    if (stats) stats->process_s = process_s;

    auto skip = static_cast<std::size_t>(skip_frames) * channels;
    auto want = static_cast<std::size_t>(want_frames) * channels;
    skip = std::min(skip, rendered.size());
    rendered.erase(rendered.begin(), rendered.begin() + static_cast<std::ptrdiff_t>(skip));
    rendered.resize(want, 0.0f);
    return out;
}

}  // namespace vr::host
