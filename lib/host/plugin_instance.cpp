// SPDX-License-Identifier: GPL-3.0-or-later
#include "host/block_render.hpp"
#include "host/plugin_create.hpp"
#include "host/plugin_impl.hpp"
#include "host/plugin_instance.hpp"
#include "host/preset_apply.hpp"

#include <juce_audio_processors/juce_audio_processors.h>

#include <algorithm>
#include <cstdio>

#include "core/error.hpp"
#include "core/text.hpp"
#include "plugins/plugin_file.hpp"

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
// prepareToPlay, in every format, and the second input bus when a
// sidechain is asked for; other buses (extra outputs, a VST3 sidechain not
// asked for) stay as the plugin set them. A main input that will not go on
// is left off: render-one feeds it silence anyway.
void enable_buses(juce::AudioPluginInstance& plugin, const std::string& location, plugin_format format,
                  bool sidechain) {
    if (plugin.getBusCount(false) == 0)
        throw record_error("plugin " + location + " has no audio output: it declares no output bus");
    auto* main_out = plugin.getBus(false, 0);
    if (!main_out->isEnabled() && !main_out->enable())
        throw record_error("plugin " + location + " has no audio output: its main output bus '" +
                           main_out->getName().toStdString() + "' is off and would not switch on (" +
                           describe_buses(plugin) + ")");
    if (auto* main_in = plugin.getBus(true, 0); main_in && !main_in->isEnabled()) main_in->enable();
    // JUCE's LV2 wrapper reads every input port it declared, connected or
    // not: a JUCE-built LV2 plugin crashes on an input bus left off, so in
    // LV2 every input bus goes on (silent unless fed), as a plain LV2 host
    // connects every port.
    if (format == plugin_format::lv2)
        for (int i = 1; i < plugin.getBusCount(true); ++i)
            if (auto* bus = plugin.getBus(true, i); !bus->isEnabled()) bus->enable();
    if (sidechain) {
        // A VST2 plugin's inputs are one set of pins: JUCE makes buses of
        // them, none of which is a sidechain.
        auto* side = format == plugin_format::vst2 ? nullptr : plugin.getBus(true, 1);
        if (!side)
            throw record_error("the plugin has no sidechain bus (" + describe_buses(plugin) +
                               "): sidechain_path needs a second input bus, a VST3 auxiliary input or an LV2 "
                               "second input group (VST2 has no sidechain bus)");
        if (!side->isEnabled() && !side->enable())
            throw record_error("the plugin's sidechain bus '" + side->getName().toStdString() +
                               "' would not switch on (" + describe_buses(plugin) + ")");
    }
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

juce_instance::juce_instance(std::unique_ptr<juce_plugin> p) : p_(std::move(p)) {
    call_plugin(p_->context, [&] {
        const auto& params = p_->plugin->getParameters();
        for (int i = 0; i < params.size(); ++i) {
            p_->param_keys.emplace(params[i]->getName(1024).toStdString(), i);
            if (auto* with_id = dynamic_cast<juce::AudioProcessorParameterWithID*>(params[i]))
                p_->param_keys.emplace(with_id->paramID.toStdString(), i);
        }
    });
}

// The plugin's release and its destructor are calls into it.
juce_instance::~juce_instance() {
    if (!p_ || !p_->plugin) return;
    close_editor();
    call_plugin(p_->context, [&] {
        p_->plugin->releaseResources();
        p_->plugin.reset();
    });
}

std::unique_ptr<plugin_instance> plugin_instance::load(const plugin_ref& ref, int sample_rate, int block_size,
                                                       bool skip_program_walk, bool sidechain) {
    auto& fmt = format_for(ref.format);
    std::string id = identifier_for(ref, fmt);
    // The context, and so the instance's clock, before the factory runs: a
    // plugin that reads the clock as it is made reads the virtual one.
    auto p = std::make_unique<juce_plugin>(sample_rate);
    p->block_size = block_size;
    call_plugin(p->context, [&] {
        juce::PluginDescription description;
        auto plugin = create_instance(ref, fmt, id, sample_rate, block_size, description, skip_program_walk);
        const juce::PluginDescription* desc = &description;
        plugin->setNonRealtime(true);
        enable_buses(*plugin, ref.location, ref.format, sidechain);
        plugin->setRateAndBufferSizeDetails(sample_rate, block_size);
        plugin->prepareToPlay(sample_rate, block_size);

        p->info.name = desc->name.toStdString();
        p->info.format = to_string(ref.format);
        p->info.version = desc->version.toStdString();
        switch (ref.format) {
            case plugin_format::vst2: p->info.id = vst2_id(desc->uniqueId); break;
            case plugin_format::vst3: p->info.id = vst3_class_id(*plugin); break;
            case plugin_format::lv2:
            case plugin_format::faust: p->info.id = id; break;
        }
        p->info.latency_samples = std::max(0, plugin->getLatencySamples());
        p->info.input_channels = plugin->getTotalNumInputChannels();
        p->info.output_channels = plugin->getTotalNumOutputChannels();
        p->info.accepts_midi = plugin->acceptsMidi();
        if (auto* main_in = plugin->getBus(true, 0); main_in && main_in->isEnabled())
            p->info.main_input_channels = main_in->getNumberOfChannels();
        if (auto* side = plugin->getBus(true, 1); sidechain && side && side->isEnabled()) {
            p->info.sidechain_channels = side->getNumberOfChannels();
            p->sidechain_offset = plugin->getChannelIndexInProcessBlockBuffer(true, 1, 0);
        }
        p->info.buses = describe_buses(*plugin);
        p->info.platform = this_platform;
        if (p->info.output_channels < 1)
            throw record_error("plugin " + ref.location + " has no audio output after prepareToPlay (" +
                               describe_buses(*plugin) + ")");
        p->plugin = std::move(plugin);
    });
    return std::make_unique<juce_instance>(std::move(p));
}

const plugin_info& juce_instance::info() const { return p_->info; }

int juce_instance::program_count() const {
    return call_plugin(p_->context, [&] { return p_->plugin->getNumPrograms(); });
}

std::string juce_instance::program_name(int index) const {
    return call_plugin(p_->context, [&] { return p_->plugin->getProgramName(index).toStdString(); });
}

int juce_instance::current_program() const {
    return call_plugin(p_->context, [&] { return p_->plugin->getCurrentProgram(); });
}

void juce_instance::select_program(int index) {
    int n = program_count();
    if (index < 0 || index >= n)
        throw record_error("program_index " + std::to_string(index) + " is out of range: the plugin has " +
                           std::to_string(n) + " programs");
    call_plugin(p_->context, [&] { p_->plugin->setCurrentProgram(index); });
    if (current_program() != index)
        throw record_error("the plugin did not switch to program " + std::to_string(index));
}

namespace {

bool names(juce::AudioProcessorParameter* param, const std::string& key) {
    if (param->getName(1024).toStdString() == key) return true;
    auto* with_id = dynamic_cast<juce::AudioProcessorParameterWithID*>(param);
    return with_id && with_id->paramID.toStdString() == key;
}

}  // namespace

juce::AudioProcessorParameter* find_parameter(juce_plugin& p, const std::string& key, const char* field) {
    return call_plugin(p.context, [&]() -> juce::AudioProcessorParameter* {
        const auto& params = p.plugin->getParameters();
        if (!key.empty() && key.find_first_not_of("0123456789") == std::string::npos && key.size() < 9) {
            int index = std::stoi(key);
            if (index < params.size()) return params[index];
        } else {
            // A name or id the plugin gave when the instance was made; else one
            // it gives now (a plugin may rename its parameters).
            if (auto known = p.param_keys.find(key); known != p.param_keys.end() && known->second < params.size())
                return params[known->second];
            for (auto* param : params)
                if (names(param, key)) return param;
        }
        throw record_error(std::string(field) + ": the plugin has no parameter " + no_such_parameter(key, params));
    });
}

int juce_instance::set_parameter(const std::string& key, double value, const char* field) {
    auto* param = find_parameter(*p_, key, field);
    // setValue, not setValueNotifyingHost: the plugin gets the same call,
    // and no listener is ever registered here, so notifying would only take
    // each parameter's lock, a write that in a forked child copies the page
    // the parameter lives on (16 of them a job for amsynth's 41).
    call_plugin(p_->context, [&] { param->setValue(static_cast<float>(value)); });
    return param->getParameterIndex();
}

void juce_instance::reset() {
    call_plugin(p_->context, [&] { p_->plugin->reset(); });
}

audio_buffer juce_instance::render(const play_plan& plan, int channels, const render_feed& feed,
                                     render_stats* stats) {
    return render_blocks(*p_, plan, channels, feed, stats);
}

}  // namespace vr::host
