// SPDX-License-Identifier: GPL-3.0-or-later
// The plugin's own editor in a window of the host's (plugin_instance.hpp:
// open_editor, editor_picture, run_editor_until_closed, close_editor):
// JUCE makes the editor and the window; the window's pixels and whether
// the plugin shows its own window in it are asked of the X server
// (linux/x11_window.hpp). Creating, showing and destroying the editor are
// calls into the plugin; what it draws as the message loop runs is not.
#include <juce_audio_processors/juce_audio_processors.h>

#include <cstdio>
#include <string>

#include "core/error.hpp"
#include "core/process.hpp"
#include "host/plugin_impl.hpp"
#include "host/plugin_instance.hpp"
#ifndef _WIN32
#include "linux/x11_window.hpp"
#endif

namespace vr::host {

namespace {

// The host's window: the editor its only child, the window as large as the
// editor is (a plugin that resizes its editor resizes the window).
class editor_window final : public juce::Component {
public:
    explicit editor_window(juce::AudioProcessorEditor* editor) : editor_(editor) {
        addAndMakeVisible(*editor);
        setSize(std::max(1, editor->getWidth()), std::max(1, editor->getHeight()));
    }
    ~editor_window() override { editor_.reset(); }
    void childBoundsChanged(juce::Component* child) override {
        if (child == editor_.get()) setSize(std::max(1, child->getWidth()), std::max(1, child->getHeight()));
    }
    void userTriedToCloseWindow() override { closed = true; }
    bool closed = false;

private:
    std::unique_ptr<juce::AudioProcessorEditor> editor_;
};

// What a host without an editor of its own says.
std::string no_editor_here(const plugin_info& info) {
    if (info.format == "faust") return "a Faust program has no editor";
    if (info.platform == windows_platform) return "showing a Windows plugin's editor is not supported yet";
    return "this plugin's editor cannot be shown";
}

#ifndef _WIN32
std::string seconds_text(double s) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", s);
    return text;
}

void run_messages_for(double seconds) {
    if (seconds > 0) juce::MessageManager::getInstance()->runDispatchLoopUntil(static_cast<int>(seconds * 1000 + 0.5));
}

// Whether a picture holds at most two colours: a window its editor has
// not drawn yet (a background, perhaps a frame).
bool looks_undrawn(const rgb_image& image) {
    const std::uint8_t* px = image.pixels.data();
    const std::size_t n = image.pixels.size() / 3;
    std::uint32_t seen[2] = {0, 0};
    int colours = 0;
    for (std::size_t i = 0; i < n; ++i, px += 3) {
        const std::uint32_t c = (std::uint32_t{px[0]} << 16) | (std::uint32_t{px[1]} << 8) | px[2];
        if ((colours > 0 && seen[0] == c) || (colours > 1 && seen[1] == c)) continue;
        if (colours == 2) return false;
        seen[colours++] = c;
    }
    return true;
}

unsigned long window_of(juce::Component& c) {
    auto* peer = c.getPeer();
    return peer ? static_cast<unsigned long>(reinterpret_cast<std::uintptr_t>(peer->getNativeHandle())) : 0;
}
#endif

}  // namespace

void plugin_instance::open_editor(bool, double) { throw record_error(no_editor_here(info())); }
rgb_image plugin_instance::editor_picture(double) { throw record_error(no_editor_here(info())); }
void plugin_instance::run_editor_until_closed() { throw record_error(no_editor_here(info())); }
void plugin_instance::close_editor() {}

#ifdef _WIN32
bool juce_instance::has_editor() { return false; }
void juce_instance::open_editor(bool, double) {
    throw record_error("showing a Windows plugin's editor is not supported yet");
}
rgb_image juce_instance::editor_picture(double) { throw record_error("no editor is open"); }
void juce_instance::run_editor_until_closed() { throw record_error("no editor is open"); }
void juce_instance::close_editor() {}
#else
bool juce_instance::has_editor() {
    return call_plugin(p_->context, [&] { return p_->plugin->hasEditor(); });
}

void juce_instance::open_editor(bool titled, double timeout_s) {
    if (p_->editor) return;
    if (!has_editor()) throw record_error("the plugin has no editor");
    x11_view view;  // no display: said before the plugin is asked for anything
    const bool made = call_plugin(p_->context, [&] {
        juce::AudioProcessorEditor* e = p_->plugin->createEditorIfNeeded();
        if (!e) return false;
        auto w = std::make_unique<editor_window>(e);
        // A picture's window is at the top left of a screen of the run's
        // own; one a user edits in is titled and in the middle of theirs.
        if (titled) {
            w->setName(juce::String::fromUTF8(info().name.c_str()) + " (render-one --edit)");
            w->centreWithSize(w->getWidth(), w->getHeight());
        } else {
            w->setTopLeftPosition(0, 0);
        }
        using peer = juce::ComponentPeer;
        w->addToDesktop(titled ? peer::windowHasTitleBar | peer::windowHasCloseButton |
                                     peer::windowHasMinimiseButton | peer::windowAppearsOnTaskbar
                               : 0);
        w->setVisible(true);
        p_->editor = std::move(w);
        return true;
    });
    if (!made) throw record_error("the plugin says it has an editor but made none");
    const unsigned long window = window_of(*p_->editor);
    const deadline until(timeout_s);
    while (!window || !view.shows_other_client(window)) {
        if (until.seconds_left() <= 0) {
            close_editor();
            throw record_error("the plugin's editor did not show its window within " + seconds_text(timeout_s) +
                               " s");
        }
        run_messages_for(0.005);
    }
}

rgb_image juce_instance::editor_picture(double draw_s) {
    if (!p_->editor) throw record_error("no editor is open");
    run_messages_for(draw_s);
    x11_view view;
    const unsigned long window = window_of(*p_->editor);
    rgb_image picture = view.capture(window);
    // An editor that has not drawn (Nekobi's OpenGL one, at times: it
    // missed its first Expose) is asked to, and given more time while its
    // window holds no more than two colours.
    const deadline until(editor_undrawn_wait_s);
    for (int tries = 0; looks_undrawn(picture) && until.seconds_left() > 0; ++tries) {
        if (tries % 10 == 0) view.expose(window);
        run_messages_for(0.05);
        picture = view.capture(window);
    }
    return picture;
}

void juce_instance::run_editor_until_closed() {
    if (!p_->editor) throw record_error("no editor is open");
    auto& w = static_cast<editor_window&>(*p_->editor);
    const unsigned long window = window_of(w);
    x11_view view;
    while (!w.closed && window && view.exists(window)) run_messages_for(0.02);
    close_editor();
}

void juce_instance::close_editor() {
    if (!p_->editor) return;
    call_plugin(p_->context, [&] { p_->editor.reset(); });
}
#endif

}  // namespace vr::host
