// SPDX-License-Identifier: GPL-3.0-or-later
// How: render-one is linked with --wrap=dlsym (lib/host/host.mk), so JUCE's
// lookup of a VST2 module's entry point comes here first. The entry point
// handed back is one of ours, which calls the plugin's own and, while a
// vst2_quick_start lives, puts a dispatcher of ours in front of the new
// effect's until the guard ends.
#include "linux/vst2_start.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#define FST2VST 1
#include <pluginterfaces/fst/fst.h>  // its #warnings: host.mk passes -Wno-cpp

extern "C" void* __real_dlsym(void* handle, const char* name);
extern "C" void* __wrap_dlsym(void* handle, const char* name);

namespace vr::host {

namespace {

using main_call = AEffect* (*)(audioMasterCallback);

// Entry points seen, each behind a trampoline of its own (a main call
// carries nothing that says which module it belongs to). A process loads
// a handful of plugins; past the table's end, the walk simply happens.
constexpr std::size_t max_modules = 64;
std::array<main_call, max_modules> g_mains{};

int g_quick_starts = 0;  // live guards (instances are created on one thread)
std::vector<std::pair<AEffect*, AEffectDispatcherProc>> g_started;  // effect, its own dispatcher

AEffectDispatcherProc own_dispatcher(AEffect* effect) {
    for (const auto& [e, d] : g_started)
        if (e == effect) return d;
    return nullptr;
}

// JUCE's walk, without the middle: the state it leaves is that of a plugin
// that went through its last program to its current one, got that one's
// name back and every parameter back to its value before the walk. Those
// few calls are made here in JUCE's order (amsynth's state and first
// program then come out as after the whole walk: the tests compare them).
void end_of_walk(AEffect* effect, AEffectDispatcherProc own) {
    auto current_name = [&] {
        char name[256] = {};
        own(effect, effGetProgramName, 0, 0, name, 0.0f);
        std::string s(name, strnlen(name, sizeof name));
        auto first = s.find_first_not_of(" \t\r\n");
        auto last = s.find_last_not_of(" \t\r\n");
        return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
    };
    const int programs = effect->numPrograms;
    const auto old_program = static_cast<int>(own(effect, effGetProgram, 0, 0, nullptr, 0.0f));
    std::string old_name = current_name();
    if (old_name.size() > 62) old_name.resize(62);  // JUCE keeps 63 bytes with the terminator
    std::vector<float> values(static_cast<std::size_t>(std::max(0, effect->numParams)));
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = effect->getParameter(effect, static_cast<int>(i));

    auto select = [&](int program) {
        if (program != static_cast<int>(own(effect, effGetProgram, 0, 0, nullptr, 0.0f)))
            own(effect, effSetProgram, 0, program, nullptr, 0.0f);
    };
    select(programs - 1);
    select(old_program);
    if (old_name != current_name()) {
        std::string name = old_name.substr(0, 24);
        own(effect, effSetProgramName, 0, 0, name.data(), 0.0f);
    }
    for (std::size_t i = 0; i < values.size(); ++i)
        if (effect->getParameter(effect, static_cast<int>(i)) != values[i])
            effect->setParameter(effect, static_cast<int>(i), values[i]);
}

t_fstPtrInt starting_dispatcher(AEffect* effect, int opcode, int index, t_fstPtrInt value, void* const ptr,
                                float opt) {
    AEffectDispatcherProc own = own_dispatcher(effect);
    if (!own) return 0;  // cannot happen: the effect is in the list until restored
    if (opcode == effClose) {
        // The plugin frees the effect: it is not to be touched again.
        effect->dispatcher = own;
        std::erase_if(g_started, [&](const auto& entry) { return entry.first == effect; });
        return own(effect, opcode, index, value, ptr, opt);
    }
    t_fstPtrInt result = own(effect, opcode, index, value, ptr, opt);
    // JUCE's question before the walk: "can you name program 0 by index?"
    if (opcode == effGetProgramNameIndexed && index == 0 && value == -1 && result == 0 && effect->numPrograms > 1) {
        end_of_walk(effect, own);
        return 1;
    }
    return result;
}

template <std::size_t I>
AEffect* main_trampoline(audioMasterCallback host) {
    AEffect* effect = g_mains[I](host);
    if (effect && g_quick_starts > 0 && effect->dispatcher && !own_dispatcher(effect)) {
        g_started.emplace_back(effect, effect->dispatcher);
        effect->dispatcher = starting_dispatcher;
    }
    return effect;
}

template <std::size_t... I>
constexpr std::array<main_call, sizeof...(I)> make_trampolines(std::index_sequence<I...>) {
    return {&main_trampoline<I>...};
}
constexpr auto g_trampolines = make_trampolines(std::make_index_sequence<max_modules>{});

}  // namespace

vst2_quick_start::vst2_quick_start() { ++g_quick_starts; }

vst2_quick_start::~vst2_quick_start() {
    if (--g_quick_starts > 0) return;
    for (auto& [effect, own] : g_started)
        if (effect->dispatcher == starting_dispatcher) effect->dispatcher = own;
    g_started.clear();
}

}  // namespace vr::host

extern "C" void* __wrap_dlsym(void* handle, const char* name) {
    using namespace vr::host;
    void* found = __real_dlsym(handle, name);
    if (!found || !name || (std::strcmp(name, "VSTPluginMain") != 0 && std::strcmp(name, "main") != 0)) return found;
    auto entry = reinterpret_cast<main_call>(found);
    for (std::size_t i = 0; i < max_modules; ++i) {
        if (g_mains[i] == nullptr) g_mains[i] = entry;
        if (g_mains[i] == entry) return reinterpret_cast<void*>(g_trampolines[i]);
    }
    return found;
}
