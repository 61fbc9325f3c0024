// SPDX-License-Identifier: GPL-3.0-or-later
#include "synth_editor.hpp"

#include <cstdlib>
#include <cstring>

#include "synth_faults.hpp"

namespace vr::test_synth {

namespace {

class level_editor final : public juce::AudioProcessorEditor,
                           private juce::AudioProcessorParameter::Listener {
public:
    level_editor(juce::AudioProcessor& p, juce::RangedAudioParameter& level, bool hides)
        : AudioProcessorEditor(p), hides_(hides), level_(level), attachment_(level, slider_)
    {
        slider_.setSliderStyle(juce::Slider::LinearHorizontal);
        slider_.setTextBoxStyle(juce::Slider::NoTextBox, true, 0, 0);
        addAndMakeVisible(slider_);
        level_.addListener(this);
        setSize(editor_width, editor_height);
    }

    ~level_editor() override { level_.removeListener(this); }

    void paint(juce::Graphics& g) override
    {
        const float v = level_.getValue();
        g.fillAll(juce::Colour::greyLevel(v));
        g.setColour(v < 0.5f ? juce::Colours::white : juce::Colours::black);
        g.setFont(48.0f);
        g.drawText(juce::String(v, 3), getLocalBounds().removeFromTop(110), juce::Justification::centred);
    }

    void resized() override { slider_.setBounds(10, 115, getWidth() - 20, 35); }

private:
    // A parameter changed: drawn anew, or with hides_ the editor's native
    // window hidden (a window that goes away while its host shows it).
    void parameterValueChanged(int, float) override
    {
        juce::MessageManager::callAsync([safe = juce::Component::SafePointer<level_editor>(this)] {
            if (safe == nullptr)
                return;
            if (!safe->hides_)
                safe->repaint();
            else if (auto* peer = safe->getTopLevelComponent()->getPeer())
                peer->setVisible(false);
        });
    }
    void parameterGestureChanged(int, bool) override {}

    bool hides_;
    juce::RangedAudioParameter& level_;
    juce::Slider slider_;
    juce::SliderParameterAttachment attachment_;
};

} // namespace

editor_kind editor_requested()
{
    const char* v = std::getenv("VR_TEST_SYNTH_EDITOR");
    if (v == nullptr)
        return editor_kind::normal;
    if (std::strcmp(v, "none") == 0)
        return editor_kind::none;
    if (std::strcmp(v, "hang") == 0)
        return editor_kind::hang;
    if (std::strcmp(v, "crash") == 0)
        return editor_kind::crash;
    if (std::strcmp(v, "after") == 0)
        return editor_kind::after;
    if (std::strcmp(v, "hidden") == 0)
        return editor_kind::hidden;
    return editor_kind::normal;
}

juce::AudioProcessorEditor* make_editor(juce::AudioProcessor& p, juce::RangedAudioParameter& level,
                                        editor_kind kind)
{
    if (kind == editor_kind::crash)
        crash_now();
    if (kind == editor_kind::hang)
        hang_now();
    return new level_editor(p, level, kind == editor_kind::hidden);
}

} // namespace vr::test_synth
