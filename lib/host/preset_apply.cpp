// SPDX-License-Identifier: GPL-3.0-or-later
#include "host/preset_apply.hpp"

#include <algorithm>
#include <functional>
#include <optional>
#include "host/plugin_impl.hpp"
#define FST2VST 1
#include <pluginterfaces/fst/fst.h>  // its #warnings: host.mk passes -Wno-cpp

#include "core/error.hpp"
#include "presets/fxp.hpp"
#include "presets/preset_fit.hpp"
#include "presets/juce_state.hpp"
#include "presets/lv2_state.hpp"
#include "presets/vstpreset.hpp"

namespace vr::host {

namespace {

// The VST2 plugin under JUCE's wrapper, for what JUCE does not expose.
struct effect_finder : juce::ExtensionsVisitor {
    AEffect* effect = nullptr;
    void visitVSTClient(const VSTClient& client) override { effect = client.getAEffectPtr(); }
};

AEffect* effect_of(juce::AudioPluginInstance& plugin) {
    effect_finder f;
    plugin.getExtensions(f);
    if (!f.effect) throw record_error("internal: a VST2 plugin without its AEffect");
    return f.effect;
}

constexpr int eff_get_chunk = 23;
constexpr int eff_flags_program_chunks = 1 << 5;

bool uses_chunks(AEffect* e) { return (e->flags & eff_flags_program_chunks) != 0; }

// The plugin's chunk: its current program (preset) or all of them (bank).
std::vector<std::uint8_t> get_chunk(AEffect* e, bool preset) {
    void* data = nullptr;
    auto size = e->dispatcher(e, eff_get_chunk, preset ? 1 : 0, 0, &data, 0.0f);
    if (size <= 0 || !data) throw record_error("the plugin gave no state chunk");
    auto* bytes = static_cast<const std::uint8_t*>(data);
    return {bytes, bytes + size};
}

struct vst3_preset_reader : juce::ExtensionsVisitor {
    juce::MemoryBlock preset;
    void visitVST3Client(const VST3Client& client) override { preset = client.getPreset(); }
};

juce::MemoryBlock vst3_preset_of(juce::AudioPluginInstance& plugin) {
    vst3_preset_reader r;
    plugin.getExtensions(r);
    return r.preset;
}

std::span<const std::uint8_t> as_span(const juce::MemoryBlock& m) {
    return {static_cast<const std::uint8_t*>(m.getData()), m.getSize()};
}

void set_state(juce::AudioPluginInstance& plugin, const std::vector<std::uint8_t>& bytes) {
    // JUCE hands a VST2 chunk to the plugin as a pointer into this buffer,
    // and some plugins read a text chunk as a C string (amsynth calls strlen
    // on it): zero bytes after the end keep such a read inside the buffer.
    std::vector<std::uint8_t> padded(bytes.size() + 64, 0);
    std::copy(bytes.begin(), bytes.end(), padded.begin());
    plugin.setStateInformation(padded.data(), static_cast<int>(bytes.size()));
}

std::vector<std::uint8_t> whole_state(juce::AudioPluginInstance& plugin) {
    juce::MemoryBlock m;
    plugin.getStateInformation(m);
    auto s = as_span(m);
    return {s.begin(), s.end()};
}

// A VST3's component state as the plugin itself gave it: JUCE's private
// block (the bypass) left out.
std::vector<std::uint8_t> own_component(std::span<const std::uint8_t> component) {
    auto own = without_juce_private_data(component);
    return {own.begin(), own.end()};
}

// A VST2's raw chunk as JUCE's VST2 host takes a state: the bank chunk of
// an .fxb (JUCE hands it to effSetChunk as a bank, as it saves one).
std::vector<std::uint8_t> chunk_as_fxb(AEffect* e, std::span<const std::uint8_t> chunk) {
    fx_bank bank;
    bank.opaque = true;
    bank.fx_id = static_cast<std::uint32_t>(e->uniqueID);
    bank.fx_version = e->version;
    bank.num_programs = e->numPrograms;
    bank.chunk = chunk;
    return write_fxb(bank);
}

// What a state or chunk preset hands over, and the plugin's own state in
// the same form, for the proof that it took. `loaded` is empty where the
// payload has no such proof (parameter values).
struct handover {
    std::vector<std::uint8_t> bytes;   // what goes to setStateInformation
    std::vector<std::uint8_t> loaded;  // the state in the form read back
    std::function<std::optional<std::vector<std::uint8_t>>()> read;  // the plugin's, in that form
};

handover lv2_handover(juce::AudioPluginInstance& plugin, const std::string& uri, const loaded_preset& p) {
    handover h;
    if (is_lv2_state_document(p.bytes)) {
        h.bytes = h.loaded = p.bytes;
        h.read = [&plugin] { return whole_state(plugin); };
        return h;
    }
    auto saved = whole_state(plugin);
    std::string_view turtle(reinterpret_cast<const char*>(saved.data()), saved.size());
    auto property = find_lv2_state_property(turtle, uri);
    if (!property)
        throw record_error(p.path + ": this LV2 plugin's state holds none of the properties its own state could go in (" +
                           uri + ":StateString, urn:juce:stateBinary, urn:juce:stateString): give it a state that "
                           "--save-state wrote for it");
    auto document = make_lv2_state_document(uri, *property, p.bytes);
    h.bytes.assign(document.begin(), document.end());
    h.loaded = p.bytes;
    if (property->kind == lv2_state_kind::text)
        if (auto xml = juce_binary_xml_text(p.bytes)) h.loaded.assign(xml->begin(), xml->end());
    h.read = [&plugin, property = *property] {
        auto now = whole_state(plugin);
        return lv2_state_property_bytes({reinterpret_cast<const char*>(now.data()), now.size()}, property);
    };
    return h;
}

handover vst3_handover(juce::AudioPluginInstance& plugin, std::vector<std::uint8_t> blob) {
    handover h;
    try {
        h.loaded = own_component(parse_vst3_state_blob(blob).component);
    } catch (const record_error&) {
        h.loaded.clear();  // judged by the plugin
    }
    h.bytes = std::move(blob);
    h.read = [&plugin]() -> std::optional<std::vector<std::uint8_t>> {
        try {
            return own_component(parse_vst3_state_blob(whole_state(plugin)).component);
        } catch (const record_error&) {
            return std::nullopt;
        }
    };
    return h;
}

handover vst2_handover(juce::AudioPluginInstance& plugin, std::vector<std::uint8_t> fx, std::span<const std::uint8_t> chunk,
                       bool preset) {
    AEffect* e = effect_of(plugin);
    handover h;
    h.bytes = std::move(fx);
    h.loaded.assign(chunk.begin(), chunk.end());
    h.read = [e, preset]() -> std::optional<std::vector<std::uint8_t>> {
        try {
            return get_chunk(e, preset);
        } catch (const record_error&) {
            return std::nullopt;
        }
    };
    return h;
}

// Whether a plugin whose state a handover left as it was held that state
// already (TAL's first factory preset, at start) rather than ignoring it:
// one of its first parameters moved, the state read otherwise, and handed
// over again, the plugin comes back to it. False when it cannot tell (no
// parameter among the first 16 whose move the state shows).
bool held_already(juce::AudioPluginInstance& plugin, const handover& h, const std::vector<std::uint8_t>& before) {
    const auto& params = plugin.getParameters();
    for (int i = 0; i < std::min(params.size(), 16); ++i) {
        auto* param = params[i];
        const float value = param->getValue();
        param->setValue(value < 0.5f ? value + 0.25f : value - 0.25f);
        if (h.read() != before) {
            set_state(plugin, h.bytes);
            return h.read() == before;
        }
        param->setValue(value);
    }
    return false;
}

}  // namespace

std::string vst3_class_id(juce::AudioPluginInstance& plugin) {
    try {
        auto preset = vst3_preset_of(plugin);
        auto id = parse_vstpreset(as_span(preset)).class_id;
        for (auto& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return id;
    } catch (const record_error&) {
        return "";
    }
}

std::string juce_instance::apply_preset(const loaded_preset& p) {
    return call_plugin(p_->context, [&]() -> std::string {
        auto& plugin = *p_->plugin;
        const std::string& fmt = p_->info.format;
        auto refuse = [&](const std::string& why) {
            return record_error(p.path + ": " + why);
        };
        handover h;
        switch (p.payload) {
            case preset_payload::params: {
                // A bank's program takes the place of the plugin's program of
                // that number, as hosts load banks: selected, then its values.
                if (p.program) select_program(*p.program);
                const auto& params = plugin.getParameters();
                if (static_cast<int>(p.params.size()) > params.size())
                    throw refuse("the preset holds " + std::to_string(p.params.size()) +
                                 " parameter values; the plugin has " + std::to_string(params.size()) + " parameters");
                for (std::size_t i = 0; i < p.params.size(); ++i) params[static_cast<int>(i)]->setValue(p.params[i]);
                return applied_as(p, fmt);
            }
            case preset_payload::fx_chunk:
                if (fmt == "vst2") {
                    if (!uses_chunks(effect_of(plugin)))
                        throw refuse("the preset is a state chunk; this plugin takes parameters, not chunks");
                    h = vst2_handover(plugin, p.bytes, p.chunk, !p.bank);
                } else if (fmt == "vst3") {
                    // A JUCE-built plugin's VST2 chunk is its VST3 component state.
                    h = vst3_handover(plugin, make_vst3_state_blob(vst3_state{p.chunk, std::nullopt}));
                } else {
                    throw refuse("an " + p.format + " chunk cannot go into an LV2 plugin");
                }
                break;
            case preset_payload::vst3_state:
                if (fmt != "vst3") throw refuse("a VST3 state (" + p.format + ") goes into VST3 plugins, not " + fmt);
                h = vst3_handover(plugin, p.bytes);
                break;
            case preset_payload::raw_state:
                if (fmt == "vst3") {
                    h = vst3_handover(plugin, make_vst3_state_blob(vst3_state{p.bytes, std::nullopt}));
                } else if (fmt == "vst2") {
                    AEffect* e = effect_of(plugin);
                    if (!uses_chunks(e))
                        throw refuse("this VST2 plugin keeps no state chunk (it saves parameter values): give it an "
                                     ".fxp or .fxb");
                    h = vst2_handover(plugin, chunk_as_fxb(e, p.bytes), p.bytes, false);
                } else {
                    h = lv2_handover(plugin, p_->info.id, p);
                }
                break;
            case preset_payload::sysex:
                // MIDI, played before the job (worker/stage_render.cpp): no door here.
                throw refuse("a SysEx preset goes to the plugin as MIDI, not through its state");
        }
        // The proof that it took: a state that differs from the plugin's
        // yet leaves the plugin's as it was was ignored or refused (a
        // preset from a newer version of the plugin, most often), unless
        // the plugin held it already (held_already).
        auto before = h.read();
        set_state(plugin, h.bytes);
        if (before && *before != h.loaded && h.read() == before && !held_already(plugin, h, *before))
            throw refuse(std::string("the plugin ignored or refused this ") +
                         (p.format == "state" ? "state" : "preset") +
                         ": its state after loading is the one it had before (a state saved by a newer version "
                         "of the plugin is the common cause; some plugins take one only once their editor was "
                         "made: --editor-first)");
        if (p.payload == preset_payload::fx_chunk && p.bank && p.program && program_count() > *p.program)
            select_program(*p.program);
        return applied_as(p, fmt);
    });
}

std::vector<std::uint8_t> juce_instance::state() const {
    return call_plugin(p_->context, [&]() { return whole_state(*p_->plugin); });
}

std::vector<std::uint8_t> juce_instance::program_preset(bool as_params) const {
    return call_plugin(p_->context, [&]() -> std::vector<std::uint8_t> {
        auto& plugin = *p_->plugin;
        if (p_->info.format == "vst3") {
            auto preset = vst3_preset_of(plugin);
            if (preset.getSize() == 0) throw record_error("the plugin would not save its state as a .vstpreset");
            auto s = as_span(preset);
            return {s.begin(), s.end()};
        }
        if (p_->info.format != "vst2") throw record_error("LV2 plugins have no preset file format here");
        AEffect* e = effect_of(plugin);
        fx_program prog;
        prog.fx_id = static_cast<std::uint32_t>(e->uniqueID);
        prog.fx_version = e->version;
        prog.name = plugin.getProgramName(plugin.getCurrentProgram()).toStdString();
        if (prog.name.size() > 27) prog.name.resize(27);
        std::vector<std::uint8_t> chunk;
        if (uses_chunks(e) && !as_params) {
            chunk = get_chunk(e, true);
            prog.opaque = true;
            prog.chunk = chunk;
            prog.num_params = e->numParams;
        } else {
            for (auto* param : plugin.getParameters()) prog.params.push_back(param->getValue());
        }
        return write_fxp(prog);
    });
}

std::vector<std::uint8_t> juce_instance::bank_preset() {
    return call_plugin(p_->context, [&]() -> std::vector<std::uint8_t> {
        auto& plugin = *p_->plugin;
        if (p_->info.format != "vst2") throw record_error("--export-bank writes VST2 banks (.fxb); this plugin is " +
                                                         p_->info.format + " (use --export-programs)");
        AEffect* e = effect_of(plugin);
        fx_bank bank;
        bank.version = 2;
        bank.fx_id = static_cast<std::uint32_t>(e->uniqueID);
        bank.fx_version = e->version;
        const int current = std::max(0, plugin.getCurrentProgram());
        bank.current_program = current;
        std::vector<std::uint8_t> chunk;
        if (uses_chunks(e)) {
            chunk = get_chunk(e, false);
            // Some plugins answer a bank request with their current program
            // (amsynth ignores the flag): such a chunk is no bank of several
            // programs, so their values go program by program instead.
            if (plugin.getNumPrograms() <= 1 || chunk != get_chunk(e, true)) {
                bank.opaque = true;
                bank.chunk = chunk;
                bank.num_programs = e->numPrograms;
                return write_fxb(bank);
            }
        }
        for (int i = 0; i < plugin.getNumPrograms(); ++i) {
            select_program(i);
            fx_program prog;
            prog.fx_id = bank.fx_id;
            prog.fx_version = bank.fx_version;
            prog.name = plugin.getProgramName(i).toStdString();
            if (prog.name.size() > 27) prog.name.resize(27);
            for (auto* param : plugin.getParameters()) prog.params.push_back(param->getValue());
            bank.programs.push_back(std::move(prog));
        }
        bank.num_programs = static_cast<std::int32_t>(bank.programs.size());
        if (plugin.getNumPrograms() > 0) select_program(current);
        return write_fxb(bank);
    });
}

std::vector<param_reading> juce_instance::read_params() const {
    return call_plugin(p_->context, [&]() -> std::vector<param_reading> {
        std::vector<param_reading> out;
        const auto& params = p_->plugin->getParameters();
        for (int i = 0; i < params.size(); ++i) {
            auto* param = params[i];
            out.push_back({i, param->getName(1024).toStdString(), param->getValue(),
                           param->getCurrentValueAsText().toStdString()});
        }
        return out;
    });
}

std::vector<float> juce_instance::param_values() const {
    return call_plugin(p_->context, [&]() -> std::vector<float> {
        std::vector<float> out;
        for (const auto* param : p_->plugin->getParameters()) out.push_back(param->getValue());
        return out;
    });
}

std::vector<std::string> juce_instance::param_names() const {
    return call_plugin(p_->context, [&]() -> std::vector<std::string> {
        std::vector<std::string> out;
        for (const auto* param : p_->plugin->getParameters()) out.push_back(param->getName(1024).toStdString());
        return out;
    });
}

}  // namespace vr::host
