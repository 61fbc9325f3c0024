// SPDX-License-Identifier: GPL-3.0-or-later
#include "host/vst3_controller.hpp"

#include <pluginterfaces/base/ipluginbase.h>
#include <pluginterfaces/vst/ivstcomponent.h>
#include <pluginterfaces/vst/ivsteditcontroller.h>
#include <pluginterfaces/vst/ivsthostapplication.h>
#include <pluginterfaces/vst/ivstmessage.h>

#include <algorithm>
#include <string_view>

// How a module's factory is found differs between the two systems.
#ifdef _WIN32
#include "windows/module_symbol.hpp"
#else
#include "linux/module_symbol.hpp"
#endif

namespace vr::host {

namespace {

using namespace Steinberg;

struct component_finder : juce::ExtensionsVisitor {
    Vst::IComponent* component = nullptr;
    void visitVST3Client(const VST3Client& client) override { component = client.getIComponentPtr(); }
};

// What a controller started here is given as its host: a name, and no
// objects made for it. It outlives every controller (a static never
// freed), so its counts are not kept.
class host_context final : public Vst::IHostApplication {
public:
    tresult PLUGIN_API queryInterface(const TUID iid, void** obj) override {
        if (FUnknownPrivate::iidEqual(iid, FUnknown::iid) || FUnknownPrivate::iidEqual(iid, Vst::IHostApplication::iid)) {
            *obj = this;
            return kResultOk;
        }
        *obj = nullptr;
        return kNoInterface;
    }
    uint32 PLUGIN_API addRef() override { return 1; }
    uint32 PLUGIN_API release() override { return 1; }
    tresult PLUGIN_API getName(Vst::String128 name) override {
        constexpr std::string_view ours = "vst-render";
        std::fill_n(name, 128, Vst::TChar(0));
        std::copy(ours.begin(), ours.end(), name);
        return kResultOk;
    }
    tresult PLUGIN_API createInstance(TUID, TUID, void** obj) override {
        *obj = nullptr;
        return kResultFalse;
    }
};

host_context g_host_context;

template <typename T>
T* query(FUnknown* object) {
    void* found = nullptr;
    if (!object || object->queryInterface(T::iid, &found) != kResultOk) return nullptr;
    return static_cast<T*>(found);
}

std::optional<std::vector<vst3_param>> listed_params(Vst::IEditController& controller) {
    std::vector<vst3_param> out;
    const int32 count = controller.getParameterCount();
    for (int32 i = 0; i < count; ++i) {
        Vst::ParameterInfo info{};
        if (controller.getParameterInfo(i, info) != kResultOk) return std::nullopt;
        out.push_back({info.id, (info.flags & Vst::ParameterInfo::kIsReadOnly) != 0});
    }
    return out;
}

// The factory of the module the component's code is in: the module JUCE
// loaded (its class's virtual table lives there).
IPluginFactory* factory_of(Vst::IComponent& component) {
    const void* vtable = *reinterpret_cast<void* const*>(&component);
    auto* get = reinterpret_cast<GetFactoryProc>(module_symbol_at(vtable, "GetPluginFactory"));
    return get ? get() : nullptr;
}

// A controller of the class the component names, started, read and stopped.
std::optional<std::vector<vst3_param>> separate_controller_params(Vst::IComponent& component) {
    TUID cid{};
    if (component.getControllerClassId(cid) != kResultOk || !FUID::fromTUID(cid).isValid()) return std::nullopt;
    IPluginFactory* factory = factory_of(component);
    if (!factory) return std::nullopt;
    void* made = nullptr;
    const tresult created = factory->createInstance(cid, Vst::IEditController::iid, &made);
    factory->release();  // the module's GetPluginFactory gave us a reference
    if (created != kResultOk || !made) return std::nullopt;
    auto* controller = static_cast<Vst::IEditController*>(made);
    std::optional<std::vector<vst3_param>> out;
    if (controller->initialize(&g_host_context) == kResultOk) {
        out = listed_params(*controller);
        // A controller JUCE made lists its parameters only once connected
        // to its component (which it then reads them from); the component
        // is not told, so JUCE's own controller stays the one it talks to.
        // Connecting may hand the plugin's processor our (null) component
        // handler: plugin-scan only describes an instance, never plays it.
        if (out && out->empty()) {
            auto* ours = query<Vst::IConnectionPoint>(controller);
            auto* theirs = query<Vst::IConnectionPoint>(&component);
            if (ours && theirs && ours->connect(theirs) == kResultOk) {
                out = listed_params(*controller);
                ours->disconnect(theirs);
            }
            if (ours) ours->release();
            if (theirs) theirs->release();
        }
        controller->terminate();
    }
    controller->release();
    return out;
}

}  // namespace

std::optional<std::vector<vst3_param>> vst3_controller_params(const juce::AudioPluginInstance& plugin) {
    component_finder finder;
    plugin.getExtensions(finder);
    if (!finder.component) return std::nullopt;
    // A plugin that is one object: JUCE started it as both.
    if (auto* own = query<Vst::IEditController>(finder.component)) {
        auto out = listed_params(*own);
        own->release();
        return out;
    }
    return separate_controller_params(*finder.component);
}

}  // namespace vr::host
