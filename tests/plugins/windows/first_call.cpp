// SPDX-License-Identifier: GPL-3.0-or-later
// first-call.exe PLUGIN: a bare host with no warm-up, to show what
// render-one's warm-up hides (DESIGN.md rule 4). JUCE's own host (the one
// render-one's Windows worker is made of) loads a VST2 DLL, or a VST3 by
// the module file inside its bundle (PLUGIN ending in .vst3), as Windows
// paths; then it twice plays note 60 at velocity 127 from the block's
// first sample, one block of 256 frames at 48 kHz, the plugin reset
// between, and prints the two blocks' peaks on one line ("%.9g %.9g"). A
// plugin whose first process call is louder (the Serum stand-ins' 10x)
// shows it. Exit status 1 when the plugin does not load, 2 on misuse.
#include <juce_audio_processors/juce_audio_processors.h>
#include <juce_gui_basics/juce_gui_basics.h>

#include <cstdio>
#include <memory>

namespace {

constexpr double rate = 48000.0;
constexpr int frames = 256;

float play_note(juce::AudioPluginInstance& plugin) {
    juce::AudioBuffer<float> buffer(std::max(2, plugin.getTotalNumOutputChannels()), frames);
    buffer.clear();
    juce::MidiBuffer midi;
    midi.addEvent(juce::MidiMessage::noteOn(1, 60, static_cast<juce::uint8>(127)), 0);
    plugin.processBlock(buffer, midi);
    plugin.reset();
    return buffer.getMagnitude(0, 0, frames);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: first-call.exe PLUGIN\n");
        return 2;
    }
    juce::ScopedJuceInitialiser_GUI gui;  // JUCE's hosts want a message manager
    const juce::String path(argv[1]);
    std::unique_ptr<juce::AudioPluginFormat> format;
    if (path.endsWithIgnoreCase(".vst3"))
        format = std::make_unique<juce::VST3PluginFormat>();
    else
        format = std::make_unique<juce::VSTPluginFormat>();
    juce::OwnedArray<juce::PluginDescription> found;
    format->findAllTypesForFile(found, path);
    juce::String error;
    std::unique_ptr<juce::AudioPluginInstance> plugin;
    if (!found.isEmpty()) plugin = format->createInstanceFromDescription(*found[0], rate, frames, error);
    if (!plugin) {
        std::fprintf(stderr, "first-call.exe: %s: does not load%s%s\n", argv[1], error.isEmpty() ? "" : ": ",
                     error.toRawUTF8());
        return 1;
    }
    plugin->enableAllBuses();
    plugin->setNonRealtime(true);
    plugin->prepareToPlay(rate, frames);
    const float first = play_note(*plugin);
    const float second = play_note(*plugin);
    std::printf("%.9g %.9g\n", first, second);
    plugin->releaseResources();
    return 0;
}
