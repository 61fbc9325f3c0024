// SPDX-License-Identifier: GPL-3.0-or-later
#include "host/describe_instance.hpp"

#include <juce_audio_processors/juce_audio_processors.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>

#include "core/error.hpp"
#include "host/plugin_call.hpp"
#include "host/plugin_create.hpp"
#include "host/preset_apply.hpp"
#include "host/read_only.hpp"
#include "host/vst3_controller.hpp"
#include "plugins/plugin_file.hpp"
#if JUCE_PLUGINHOST_LV2  // not in the Windows worker (lib/windows/windows.mk)
#include "plugins/lv2_manifest.hpp"
#endif
#include "presets/fxp.hpp"

namespace vr::host {

namespace {

// The rate and block size a plugin is started at; what it says of itself
// should not depend on them.
constexpr int scan_rate = 48000, scan_block = 512;

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// A bus's channels, on or off: off, the layout it would take.
int bus_channels(const juce::AudioProcessor::Bus& bus) {
    return (bus.isEnabled() ? bus.getCurrentLayout() : bus.getLastEnabledLayout()).size();
}

// Its own flags say instrument (VST2 effFlagsIsSynth, VST3 subcategory
// Instrument, LV2 a generator class: JUCE's description reads them); a
// plugin without audio that takes MIDI is a MIDI effect; the rest effects.
std::string category_of(const juce::PluginDescription& desc, int inputs, int outputs, bool midi) {
    if (desc.isInstrument) return "instrument";
    if (inputs == 0 && outputs == 0 && midi) return "midi_effect";
    return "effect";
}

// The most steps whose texts a record lists.
constexpr int max_step_texts = 1024;

// Each parameter's read_only, where its format says: a VST3 controller's
// kIsReadOnly, matched to JUCE's list by ParamID (none when the controller
// cannot be read); never in VST2, which has no such flag, nor among the
// LV2 parameters JUCE lists (input ports and properties: output ports it
// leaves out). Faust programs' bargraphs are not parameters either.
std::optional<std::vector<bool>> read_only_of(const juce::AudioPluginInstance& plugin, plugin_format format) {
    const auto& params = plugin.getParameters();
    if (format != plugin_format::vst3) return std::vector<bool>(static_cast<std::size_t>(params.size()), false);
    const auto listed = vst3_controller_params(plugin);
    if (!listed) return std::nullopt;
    std::vector<std::string> ids;
    for (const auto* p : params) {
        const auto* hosted = dynamic_cast<const juce::HostedAudioProcessorParameter*>(p);
        if (!hosted) return std::nullopt;
        ids.push_back(hosted->getParameterID().toStdString());
    }
    return read_only_by_id(ids, *listed);
}

// VST2 knows no default values: theirs is null. steps (how many values a
// discrete parameter takes: normalised k / (steps - 1)) where the plugin
// says it has them (a VST3 step count, an LV2 enumeration or integer port,
// a VST2 switch or integer step), with the text of each (step_texts).
json params_of(const juce::AudioPluginInstance& plugin, plugin_format format) {
    json out = json::array();
    const auto& params = plugin.getParameters();
    const auto read_only = read_only_of(plugin, format);
    const int continuous = juce::AudioProcessor::getDefaultNumParameterSteps();
    for (int i = 0; i < params.size(); ++i) {
        const auto* p = params[i];
        json e{{"index", i},
               {"name", p->getName(1024).toStdString()},
               {"value", p->getValue()},
               {"text", p->getCurrentValueAsText().toStdString()},
               {"default", format == plugin_format::vst2 ? json(nullptr) : json(p->getDefaultValue())},
               {"automatable", p->isAutomatable()}};
        if (read_only) e["read_only"] = bool((*read_only)[static_cast<std::size_t>(i)]);
        const int steps = p->getNumSteps();
        if (steps >= 2 && steps < continuous) {
            e["steps"] = steps;
            const juce::StringArray texts = p->isDiscrete() && steps <= max_step_texts ? p->getAllValueStrings()
                                                                                      : juce::StringArray();
            if (texts.size() == steps) {
                json t = json::array();
                for (const auto& text : texts) t.push_back(text.toStdString());
                e["step_texts"] = std::move(t);
            }
        }
        out.push_back(std::move(e));
    }
    return out;
}

// One instance's fields. The sidechain is the second input bus, as
// render-one's sidechain_path takes it (none in VST2, whose pins JUCE
// makes buses of); input_channels counts every other input bus.
json describe(juce::AudioPluginInstance& plugin, const juce::PluginDescription& desc, const scan_job& job,
              double load_s) {
    int inputs = 0, sidechain = 0, outputs = 0;
    for (int i = 0; i < plugin.getBusCount(true); ++i) {
        int n = bus_channels(*plugin.getBus(true, i));
        if (i == 1 && job.format != plugin_format::vst2) sidechain = n;
        else inputs += n;
    }
    for (int i = 0; i < plugin.getBusCount(false); ++i) outputs += bus_channels(*plugin.getBus(false, i));
    const bool midi = plugin.acceptsMidi();
    json r;
    switch (job.format) {
        case plugin_format::vst2: r["plugin_id"] = fx_id_text(static_cast<std::uint32_t>(desc.uniqueId)); break;
        case plugin_format::vst3: r["plugin_id"] = vst3_class_id(plugin); break;
        case plugin_format::lv2: r["plugin_id"] = job.uri; break;
        case plugin_format::faust: r["plugin_id"] = job.path; break;  // plugin-scan finds no programs
    }
    r["plugin_name"] = desc.name.toStdString();
    r["plugin_vendor"] = desc.manufacturerName.isEmpty() ? json(nullptr) : json(desc.manufacturerName.toStdString());
    r["plugin_version"] = desc.version.isEmpty() ? json(nullptr) : json(desc.version.toStdString());
    r["category"] = category_of(desc, inputs + sidechain, outputs, midi);
    r["input_channels"] = inputs;
    r["output_channels"] = outputs;
    r["sidechain_channels"] = sidechain;
    r["midi_input"] = midi;
    r["param_count"] = plugin.getParameters().size();
    r["plugin_program_count"] = plugin.getNumPrograms();
    r["plugin_load_s"] = load_s;
    if (job.params) r["params"] = params_of(plugin, job.format);
    return r;
}

[[noreturn]] void would_not_load(const scan_job& job, const juce::String& error) {
    std::string why = plugin_load_reason({job.path, job.format});
    if (why.empty()) why = error.isEmpty() ? std::string("the plugin refused to start") : error.toStdString();
    throw record_error("cannot load plugin " + job.path + ": " + why);
}

// The plugins of the job's file as JUCE's scan finds them (a VST3 module
// may hold several classes; an LV2 URI names one).
json describe_found(const scan_job& job, juce::AudioPluginFormat& fmt) {
    const auto start = std::chrono::steady_clock::now();
    juce::OwnedArray<juce::PluginDescription> found;
    std::string id = job.path;
#if JUCE_PLUGINHOST_LV2
    if (job.format == plugin_format::lv2) {
        // lilv knows the default folders already (format_for loaded them);
        // a bundle elsewhere is read with the folder that holds it.
        const auto parent = std::filesystem::path(job.path).parent_path().string();
        const auto defaults = lv2_search_folders();
        if (std::find(defaults.begin(), defaults.end(), parent) == defaults.end())
            fmt.searchPathsForPlugins(juce::FileSearchPath(juce::String(parent)), false, false);
        id = job.uri;
    }
#endif
    fmt.findAllTypesForFile(found, juce::String(id));
    if (found.isEmpty()) would_not_load(job, {});
    const double scan_s = seconds_since(start);
    json out = json::array();
    for (const auto* desc : found) {
        const auto t = std::chrono::steady_clock::now();
        juce::String error;
        plugin_context context(scan_rate);
        auto plugin = call_plugin(context, [&] {
            return fmt.createInstanceFromDescription(*desc, scan_rate, scan_block, error);
        });
        if (!plugin) would_not_load(job, error);
        const double load_s = scan_s + seconds_since(t);
        out.push_back(call_plugin(context, [&] { return describe(*plugin, *desc, job, load_s); }));
        plugin.release();
    }
    return out;
}

// A VST2 plugin as render-one starts it (create_instance: from its file,
// a shell scanned), without the walk through its programs.
json describe_vst2(const scan_job& job, juce::AudioPluginFormat& fmt) {
    const auto start = std::chrono::steady_clock::now();
    juce::PluginDescription desc;
    plugin_context context(scan_rate);
    auto plugin = call_plugin(context, [&] {
        return create_instance({job.path, job.format}, fmt, job.path, scan_rate, scan_block, desc, true);
    });
    const double load_s = seconds_since(start);
    json out = json::array({call_plugin(context, [&] { return describe(*plugin, desc, job, load_s); })});
    plugin.release();
    return out;
}

}  // namespace

json describe_file(const scan_job& job) {
    auto& fmt = format_for(job.format);
    if (job.format != plugin_format::lv2 && !std::filesystem::exists(job.path))
        throw record_error("cannot load plugin " + job.path + ": no such file or folder");
    return job.format == plugin_format::vst2 ? describe_vst2(job, fmt) : describe_found(job, fmt);
}

}  // namespace vr::host
