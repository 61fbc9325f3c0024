// SPDX-License-Identifier: GPL-3.0-or-later
// A plugin_instance hosted through JUCE in this process, shared by the
// files of lib/host that implement it (JUCE shows here, so only lib/host
// includes this).
#pragma once
#include <juce_audio_processors/juce_audio_processors.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "host/plugin_call.hpp"
#include "host/plugin_instance.hpp"

namespace vr::host {

// What a JUCE-hosted instance holds. Every call into the plugin goes
// through call_plugin(context, ...) (host/plugin_call.hpp); the context is
// made before the plugin's factory runs and outlives the plugin (declared
// first), whose destructor is a call into it too.
struct juce_plugin {
    explicit juce_plugin(int sample_rate) : context(sample_rate) {}
    plugin_context context;
    std::unique_ptr<juce::AudioPluginInstance> plugin;
    plugin_info info;
    int block_size = 512;
    int sidechain_offset = 0;  // the sidechain bus's first channel in a process call's buffer
    // Each parameter's name and id to its index, the lowest index first,
    // as the plugin gave them when the instance was made (what plugin-scan
    // lists and param_names_sha256 hashes): a key means the same parameter
    // whatever a preset or earlier job renamed since, and a forked job's
    // child asks the plugin no name at all.
    std::unordered_map<std::string, int> param_keys;
    // The editor's window while it is open (host/plugin_editor.cpp); goes
    // before the plugin.
    std::unique_ptr<juce::Component> editor;
};

class juce_instance final : public plugin_instance {
public:
    explicit juce_instance(std::unique_ptr<juce_plugin> p);
    ~juce_instance() override;

    const plugin_info& info() const override;
    int program_count() const override;
    std::string program_name(int index) const override;
    int current_program() const override;
    void select_program(int index) override;
    int set_parameter(const std::string& key, double value, const char* field = "set_params") override;
    std::string apply_preset(const loaded_preset& preset) override;
    std::vector<std::uint8_t> state() const override;
    std::vector<std::uint8_t> program_preset(bool as_params = false) const override;
    std::vector<std::uint8_t> bank_preset() override;
    std::vector<param_reading> read_params() const override;
    std::vector<float> param_values() const override;
    std::vector<std::string> param_names() const override;
    void reset() override;
    audio_buffer render(const play_plan& plan, int channels, const render_feed& feed = {},
                        render_stats* stats = nullptr) override;
    void open_editor(bool titled, double timeout_s) override;
    bool has_editor() override;
    rgb_image editor_picture(double draw_s) override;
    std::unique_ptr<editor_drawing> start_editor_picture(double draw_s, bool kept_apart, bool just_shown) override;
    void run_editor_until_closed() override;
    void close_editor() override;
    unsigned long editor_x11_window() override;
    bool run_editor_for(double seconds, bool redraw) override;
    bool editor_shows_plugin() override;

private:
    std::unique_ptr<juce_plugin> p_;
};

// The parameter named by its index ("3"), name or id; throws record_error
// starting with field ("set_params", "automation") when there is none. The
// names it asks for are calls into the plugin (a VST2 plugin's dispatcher).
juce::AudioProcessorParameter* find_parameter(juce_plugin& p, const std::string& key, const char* field);

}  // namespace vr::host
