// SPDX-License-Identifier: GPL-3.0-or-later
#include "synth_editor.hpp"

#include <cstdlib>
#include <cstring>
#include <functional>
#include <utility>

#include "synth_faults.hpp"
#if JUCE_LINUX
#include "synth_xembed.hpp"
#endif

namespace vr::test_synth {

namespace {

class level_editor final : public juce::AudioProcessorEditor,
                           private juce::AudioProcessorParameter::Listener,
                           private juce::Timer {
public:
    level_editor(juce::AudioProcessor& p, juce::RangedAudioParameter& level, std::function<juce::String()> name,
                 editor_kind kind)
        : AudioProcessorEditor(p), kind_(kind), level_(level), name_(std::move(name)), attachment_(level, slider_)
    {
        slider_.setSliderStyle(juce::Slider::LinearHorizontal);
        slider_.setTextBoxStyle(juce::Slider::NoTextBox, true, 0, 0);
        addAndMakeVisible(slider_);
        level_.addListener(this);
        setSize(editor_width, editor_height);
        shown_name_ = name_();
        // What is not a parameter (the state's payload) is polled, as many
        // real editors poll what they draw.
        startTimerHz(30);
    }

    ~level_editor() override { level_.removeListener(this); }

    // unmapped: once the editor's window exists (JUCE's wrapper adds it to
    // the host's window, then shows it), it asks its embedder not to map it
    // and hides itself: it never shows.
    void parentHierarchyChanged() override
    {
        if (kind_ != editor_kind::unmapped)
            return;
        auto* peer = getPeer();
        if (peer == nullptr)
            return;
        if (withheld_ != peer->getNativeHandle()) {
            withheld_ = peer->getNativeHandle();
#if JUCE_LINUX
            withhold_xembed_map(reinterpret_cast<unsigned long>(withheld_));
#endif
        }
        if (getTopLevelComponent()->isVisible())
            peer->setVisible(false);
    }

    void paint(juce::Graphics& g) override
    {
        const float v = level_.getValue();
        // As an editor that crashes on one preset's values, long after it
        // was made.
        if (kind_ == editor_kind::crash_drawing && v >= 0.999f)
            crash_now();
        g.fillAll(juce::Colour::greyLevel(v));
        g.setColour(v < 0.5f ? juce::Colours::white : juce::Colours::black);
        g.setFont(48.0f);
        g.drawText(juce::String(v, 3), getLocalBounds().removeFromTop(110), juce::Justification::centred);
        if (shown_name_.isNotEmpty()) {
            g.setFont(16.0f);
            g.drawText(shown_name_, juce::Rectangle<int>(4, 2, getWidth() - 8, 20),
                       juce::Justification::centredLeft);
        }
    }

    void resized() override { slider_.setBounds(10, 115, getWidth() - 20, 35); }

private:
    // A parameter changed: drawn anew, or with `hidden` the editor's native
    // window hidden (a window that goes away while its host shows it).
    void parameterValueChanged(int, float) override
    {
        juce::MessageManager::callAsync([safe = juce::Component::SafePointer<level_editor>(this)] {
            if (safe == nullptr)
                return;
            if (safe->kind_ != editor_kind::hidden)
                safe->repaint();
            else if (auto* peer = safe->getTopLevelComponent()->getPeer())
                peer->setVisible(false);
        });
    }
    void parameterGestureChanged(int, bool) override {}

    void timerCallback() override
    {
        if (juce::String now = name_(); now != shown_name_) {
            shown_name_ = now;
            repaint();
        }
    }

    editor_kind kind_;
    juce::RangedAudioParameter& level_;
    std::function<juce::String()> name_;
    juce::String shown_name_;
    void* withheld_ = nullptr;  // unmapped: the native window already withheld
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
    if (std::strcmp(v, "unmapped") == 0)
        return editor_kind::unmapped;
    if (std::strcmp(v, "crash-drawing") == 0)
        return editor_kind::crash_drawing;
    return editor_kind::normal;
}

juce::AudioProcessorEditor* make_editor(juce::AudioProcessor& p, juce::RangedAudioParameter& level,
                                        std::function<juce::String()> name, editor_kind kind)
{
    if (kind == editor_kind::crash)
        crash_now();
    if (kind == editor_kind::hang)
        hang_now();
    return new level_editor(p, level, std::move(name), kind);
}

} // namespace vr::test_synth
