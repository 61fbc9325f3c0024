// SPDX-License-Identifier: GPL-3.0-or-later
#include "host/vst3_classes.hpp"

#include <pluginterfaces/base/ipluginbase.h>
#include <pluginterfaces/vst/ivstaudioprocessor.h>

#include <array>
#include <cstdint>
#include <filesystem>

// How a loaded module's factory is found differs between the two systems,
// and so does the file JUCE loads for a bundle.
#ifdef _WIN32
#include "windows/module_symbol.hpp"
#else
#include <sys/utsname.h>

#include "linux/module_symbol.hpp"
#endif

namespace vr::host {

namespace {

using namespace Steinberg;

// The module file JUCE's handle cache opens for id: on Linux the bundle's
// Contents/<machine>-linux/<bundle name>.so; on Windows id itself (the Linux
// side names the module in a bundle: plugins/windows_plugin.hpp).
std::string module_file(const std::string& id) {
#ifdef _WIN32
    return id;
#else
    utsname machine{};
    if (::uname(&machine) != 0) return "";
    const std::filesystem::path bundle(id);
    return (bundle / "Contents" / (std::string(machine.machine) + "-linux") / (bundle.stem().string() + ".so"))
        .string();
#endif
}

// JUCE's hash of a class id, by which its VST3 host matches a description
// to a class: of the id's 16 bytes as they are (deprecatedUid), and of its
// four 32-bit words (uniqueId).
template <typename Range>
int hash_of(const Range& items) {
    std::uint32_t value = 0;
    for (const auto& item : items) value = value * 31 + static_cast<std::uint32_t>(item);
    return static_cast<int>(value);
}

// A class's subcategories ("Instrument|Synth"), from the newest class info
// the factory gives, else its category.
juce::String category_of(IPluginFactory* factory, int32 index, const PClassInfo& info) {
    void* got = nullptr;
    if (factory->queryInterface(IPluginFactory3::iid, &got) == kResultOk && got) {
        auto* f3 = static_cast<IPluginFactory3*>(got);
        PClassInfoW w{};
        const bool ok = f3->getClassInfoUnicode(index, &w) == kResultOk;
        f3->release();
        if (ok && w.subCategories[0]) return juce::String(juce::CharPointer_UTF8(w.subCategories)).trim();
    } else if (factory->queryInterface(IPluginFactory2::iid, &got) == kResultOk && got) {
        auto* f2 = static_cast<IPluginFactory2*>(got);
        PClassInfo2 i2{};
        const bool ok = f2->getClassInfo2(index, &i2) == kResultOk;
        f2->release();
        if (ok && i2.subCategories[0]) return juce::String(juce::CharPointer_UTF8(i2.subCategories)).trim();
    }
    return juce::String(juce::CharPointer_UTF8(info.category)).trim();
}

}  // namespace

std::optional<juce::PluginDescription> vst3_class_description(juce::AudioPluginFormat& vst3, const std::string& id) {
    // JUCE loads the module (and starts it: ModuleEntry, InitDll) when asked
    // for a class of it; one named so that no module has it makes nothing.
    juce::PluginDescription none;
    none.fileOrIdentifier = juce::String(id);
    none.pluginFormatName = vst3.getName();
    none.name = "vst-render: no class has this name";
    juce::String error;
    if (vst3.createInstanceFromDescription(none, 44100, 512, error)) return std::nullopt;  // cannot be
    using get_factory = IPluginFactory* (*)();
    auto* get = reinterpret_cast<get_factory>(module_symbol_in(module_file(id), "GetPluginFactory"));
    IPluginFactory* factory = get ? get() : nullptr;
    if (!factory) return std::nullopt;
    std::optional<juce::PluginDescription> chosen;
    juce::StringArray seen;
    const int32 count = factory->countClasses();
    for (int32 i = 0; i < count; ++i) {
        PClassInfo info{};
        if (factory->getClassInfo(i, &info) != kResultOk || std::string_view(info.category) != kVstAudioEffectClass)
            continue;
        const juce::String name = juce::String(juce::CharPointer_UTF8(info.name)).trim();
        if (seen.contains(name, true)) continue;  // JUCE's scan keeps the first class of a name
        seen.add(name);
        const bool instrument = category_of(factory, i, info).containsIgnoreCase("Instrument");
        if (chosen && !(instrument && !chosen->isInstrument)) continue;
        juce::PluginDescription d;
        d.fileOrIdentifier = juce::String(id);
        d.pluginFormatName = vst3.getName();
        d.name = d.descriptiveName = name;
        d.isInstrument = instrument;
        d.deprecatedUid = hash_of(info.cid);
        const FUID fuid = FUID::fromTUID(info.cid);
        d.uniqueId = hash_of(std::array<std::uint32_t, 4>{fuid.getLong1(), fuid.getLong2(), fuid.getLong3(), fuid.getLong4()});
        chosen = d;
        if (instrument) break;
    }
    factory->release();  // GetPluginFactory gave us a reference
    return chosen;
}

}  // namespace vr::host
