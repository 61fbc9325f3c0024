// SPDX-License-Identifier: GPL-3.0-or-later
#include "host/plugin_create.hpp"

#include <filesystem>
#include <map>
#include <optional>

#define FST2VST 1
#include <pluginterfaces/fst/fst.h>  // its #warnings: host.mk passes -Wno-cpp

#include "core/error.hpp"
#include "host/vst3_classes.hpp"
#include "plugins/plugin_file.hpp"
// Where host/ differs between its two systems (with vst3_controller.cpp's
// finding of a module's factory): Faust programs are
// compiled by libfaust, which runs on Linux only, and a VST2 quick start
// needs the Linux linker's symbol wrapping (the Windows stand-in does
// nothing).
#ifdef _WIN32
#include "windows/vst2_start.hpp"
#else
#include "host/faust_instance.hpp"
#include "linux/vst2_start.hpp"
#endif

namespace vr::host {

namespace {

// The format manager outlives every instance and dies before JUCE shuts down.
juce::AudioPluginFormatManager* g_formats = nullptr;

const char* juce_format_name(plugin_format f) {
    switch (f) {
        case plugin_format::vst2: return "VST";
        case plugin_format::vst3: return "VST3";
        case plugin_format::lv2: return "LV2";
        case plugin_format::faust: return "Faust";
    }
    return "";
}

}  // namespace

void use_formats(juce::AudioPluginFormatManager* formats) { g_formats = formats; }

// Each format is set up when a plugin first needs it: JUCE's LV2 host alone
// writes its bundled specifications to a temporary folder and has lilv read
// every bundle on the system, tens of milliseconds no VST job should pay.
juce::AudioPluginFormat& format_for(plugin_format f) {
    if (!g_formats) throw fatal_error("internal: plugin host used before juce_runtime");
#ifndef _WIN32
    if (f == plugin_format::faust) return faust_format();
#endif
    for (auto* fmt : g_formats->getFormats())
        if (fmt->getName() == juce_format_name(f)) return *fmt;
    switch (f) {
        case plugin_format::vst2: g_formats->addFormat(new juce::VSTPluginFormat()); break;
        case plugin_format::vst3: g_formats->addFormat(new juce::VST3PluginFormat()); break;
        case plugin_format::lv2:
#if JUCE_PLUGINHOST_LV2  // not in the Windows worker (lib/windows/windows.mk)
            g_formats->addFormat(new juce::LV2PluginFormat());
#endif
            break;
        case plugin_format::faust: break;
    }
    auto formats = g_formats->getFormats();
    if (formats.isEmpty() || formats.getLast()->getName() != juce_format_name(f))
        throw record_error(std::string("this build cannot host ") + to_string(f) + " plugins");
    return *formats.getLast();
}

// What JUCE should be asked to load: a file, or the URI of an LV2 plugin
// (a bundle is opened by making lilv read the folder that holds it).
std::string identifier_for(const plugin_ref& ref, juce::AudioPluginFormat& fmt) {
    if (ref.format == plugin_format::faust && !ref.code.empty()) return ref.location;
    if (ref.format != plugin_format::lv2) {
        if (!std::filesystem::exists(ref.location))
            throw record_error("cannot load plugin " + ref.location + ": no such file or folder");
        return ref.location;
    }
#if JUCE_PLUGINHOST_LV2
    if (ref.location.front() != '/') return ref.location;
    auto uris = lv2_bundle_uris(ref.location);
    if (uris.size() > 1) {
        std::string list;
        for (const auto& u : uris) list += (list.empty() ? "" : ", ") + u;
        throw record_error("LV2 bundle " + ref.location + " holds " + std::to_string(uris.size()) +
                           " plugins; name one by its URI: " + list);
    }
    // lilv keeps the first bundle of a URI it reads and ignores later ones:
    // a second bundle of that URI would get the first one's plugin.
    static std::map<std::string, std::string> bundle_of;  // URI -> bundle, in this process
    const auto [known, fresh] = bundle_of.emplace(uris.front(), ref.location);
    if (!fresh && known->second != ref.location)
        throw record_error("LV2 bundle " + ref.location + " declares " + uris.front() +
                           ", which this process loaded from " + known->second +
                           " already: LV2 hosts keep one plugin per URI (render the other bundle in a run of "
                           "its own)");
    // Read once per process: lilv reading a bundle it loaded a plugin from
    // again reloads it (and says so on stderr at every instance).
    if (fresh) {
        auto parent = std::filesystem::path(ref.location).parent_path().string();
        fmt.searchPathsForPlugins(juce::FileSearchPath(juce::String(parent)), false, false);
    }
    return uris.front();
#else
    (void)fmt;  // only the LV2 host is asked to read a bundle
    return ref.location;
#endif
}

namespace {

// What JUCE's scan says of the plugin file: started and thrown away.
juce::PluginDescription scan(const plugin_ref& ref, juce::AudioPluginFormat& fmt, const std::string& id) {
    juce::OwnedArray<juce::PluginDescription> found;
    fmt.findAllTypesForFile(found, juce::String(id));
    if (found.isEmpty() && ref.format == plugin_format::lv2 && ref.location.front() != '/')
        throw record_error("cannot load plugin " + ref.location +
                           ": no LV2 plugin has this URI in ~/.lv2, /usr/lib/lv2 or /usr/local/lib/lv2 "
                           "(give the path of its .lv2 bundle to load it from elsewhere)");
    if (found.isEmpty()) {
        std::string why = plugin_load_reason(ref);
        throw record_error("cannot load plugin " + ref.location + ": " +
                           (why.empty() ? std::string("not a ") + to_string(ref.format) + " plugin JUCE can open" : why));
    }
    // A file may hold several plugins (VST2 shells, VST3 modules): prefer an instrument.
    const juce::PluginDescription* desc = found[0];
    for (auto* d : found)
        if (d->isInstrument) {
            desc = d;
            break;
        }
    return *desc;
}

bool is_vst2_shell(juce::AudioPluginInstance& plugin) {
    struct shell_check : juce::ExtensionsVisitor {
        bool shell = false;
        void visitVSTClient(const VSTClient& client) override {
            if (auto* effect = const_cast<AEffect*>(client.getAEffectPtr()))
                shell = effect->dispatcher(effect, effGetPlugCategory, 0, 0, nullptr, 0.0f) == kPlugCategShell;
        }
    } check;
    plugin.getExtensions(check);
    return check.shell;
}

}  // namespace

// A new instance, and the description it was made from (desc). JUCE's scan
// describes a plugin by starting an instance of it and throwing that away:
// instead a VST2 plugin is started from its file alone and a VST3 from its
// class's name and id as its module's factory says them (host/
// vst3_classes.hpp), and described by that instance (a VST2 shell, holding
// several plugins, and a VST3 whose factory cannot be read are scanned).
// Either way a description is worked out once per plugin and process.
std::unique_ptr<juce::AudioPluginInstance> create_instance(const plugin_ref& ref, juce::AudioPluginFormat& fmt,
                                                          const std::string& id, int sample_rate, int block_size,
                                                          juce::PluginDescription& desc, bool skip_program_walk) {
#ifndef _WIN32
    if (ref.format == plugin_format::faust) return create_faust_instance(ref, sample_rate, block_size, desc);
#endif
    static std::map<std::string, juce::PluginDescription> described;
    const std::string key = std::string(to_string(ref.format)) + ":" + id;
    std::optional<vst2_quick_start> quick;
    if (skip_program_walk) quick.emplace();
    juce::String error;
    if (auto known = described.find(key); known != described.end()) {
        desc = known->second;
    } else {
        if (ref.format == plugin_format::vst3) {
            if (auto classes = vst3_class_description(fmt, id)) {
                auto plugin = fmt.createInstanceFromDescription(*classes, sample_rate, block_size, error);
                if (plugin) {
                    plugin->fillInPluginDescription(desc);
                    described.emplace(key, desc);
                    return plugin;
                }
            }
        }
        if (ref.format == plugin_format::vst2) {
            juce::PluginDescription direct;
            direct.fileOrIdentifier = juce::String(id);
            direct.pluginFormatName = fmt.getName();
            auto plugin = fmt.createInstanceFromDescription(direct, sample_rate, block_size, error);
            if (plugin && !is_vst2_shell(*plugin)) {
                plugin->fillInPluginDescription(desc);
                described.emplace(key, desc);
                return plugin;
            }
        }
        desc = described.emplace(key, scan(ref, fmt, id)).first->second;
    }
    auto plugin = fmt.createInstanceFromDescription(desc, sample_rate, block_size, error);
    if (!plugin) {
        // JUCE's LV2 host says only that the binary "could not be opened".
        std::string why = plugin_load_reason(ref);
        if (why.empty()) why = error.isEmpty() ? std::string("the plugin refused to start") : error.toStdString();
        throw record_error("cannot load plugin " + ref.location + ": " + why);
    }
    return plugin;
}

}  // namespace vr::host
