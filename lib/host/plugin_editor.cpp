// SPDX-License-Identifier: GPL-3.0-or-later
// The plugin's own editor in a window of the host's (plugin_instance.hpp:
// open_editor, editor_picture, run_editor_until_closed, close_editor):
// JUCE makes the editor and the window; on Linux the window's pixels and
// whether the plugin shows its own window in it are asked of the X server
// (linux/x11_window.hpp). In the Windows worker under wine the plugin's
// window is found among the window's children (windows/editor_windows.hpp)
// and the Linux side reads the pixels (wine/windows_instance.cpp).
// Creating, showing and destroying the editor are calls into the plugin;
// what it draws as the message loop runs is not.
#include <juce_audio_processors/juce_audio_processors.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "host/plugin_impl.hpp"
#include "host/plugin_instance.hpp"
#ifdef _WIN32
#include "windows/editor_windows.hpp"
#else
#include "linux/x11_window.hpp"
#endif

namespace vr::host {

namespace {

// The host's window: the editor its only child, the window as large as the
// editor is (a plugin that resizes its editor resizes the window).
class editor_window final : public juce::Component {
public:
    explicit editor_window(juce::AudioProcessorEditor* editor) : editor_(editor) {
        // Opaque: JUCE makes a window of a component that is not a layered
        // one on Windows, which wine never maps until it is given an alpha.
        setOpaque(true);
        addAndMakeVisible(*editor);
        setSize(std::max(1, editor->getWidth()), std::max(1, editor->getHeight()));
    }
    ~editor_window() override { editor_.reset(); }
    void childBoundsChanged(juce::Component* child) override {
        if (child == editor_.get()) setSize(std::max(1, child->getWidth()), std::max(1, child->getHeight()));
    }
    void paint(juce::Graphics& g) override { g.fillAll(juce::Colours::black); }
    void userTriedToCloseWindow() override { closed = true; }
    bool closed = false;

private:
    std::unique_ptr<juce::AudioProcessorEditor> editor_;
};

// What a host without an editor of its own says.
std::string no_editor_here(const plugin_info& info) {
    if (info.format == "faust") return "a Faust program has no editor";
    return "this plugin's editor cannot be shown";
}

std::string seconds_text(double s) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", s);
    return text;
}

void run_messages_for(double seconds) {
    if (seconds > 0) juce::MessageManager::getInstance()->runDispatchLoopUntil(static_cast<int>(seconds * 1000 + 0.5));
}

// The component's native window: an X window, or under wine an HWND.
unsigned long window_of(juce::Component& c) {
    auto* peer = c.getPeer();
    return peer ? static_cast<unsigned long>(reinterpret_cast<std::uintptr_t>(peer->getNativeHandle())) : 0;
}

#ifdef _WIN32
// The windows of this host's own components: a window in the editor's
// that is none of them is the plugin's.
std::vector<unsigned long> our_windows() {
    std::vector<unsigned long> ours;
    for (int i = 0, n = juce::ComponentPeer::getNumPeers(); i < n; ++i)
        if (auto* peer = juce::ComponentPeer::getPeer(i))
            ours.push_back(static_cast<unsigned long>(reinterpret_cast<std::uintptr_t>(peer->getNativeHandle())));
    return ours;
}
#endif

}  // namespace

void run_editor_messages(double seconds) { run_messages_for(seconds); }

void plugin_instance::open_editor(bool, double) { throw record_error(no_editor_here(info())); }
rgb_image plugin_instance::editor_picture(double) { throw record_error(no_editor_here(info())); }
void plugin_instance::run_editor_until_closed() { throw record_error(no_editor_here(info())); }
void plugin_instance::close_editor() {}
bool plugin_instance::run_editor_for(double, bool) { throw record_error(no_editor_here(info())); }

bool juce_instance::has_editor() {
    return call_plugin(p_->context, [&] { return p_->plugin->hasEditor(); });
}

void juce_instance::open_editor(bool titled, double timeout_s) {
    if (p_->editor) return;
    if (!has_editor()) throw record_error("the plugin has no editor");
#ifdef _WIN32
    // Wine with no display driver makes no window: said before the plugin
    // is asked for anything.
    if (const std::string why = windows::window_refusal(); !why.empty()) throw record_error(why);
    auto shows_plugin = [](unsigned long top) { return windows::shows_foreign_child(top, our_windows()); };
#else
    x11_view view;  // no display: said before the plugin is asked for anything
    auto shows_plugin = [&](unsigned long top) { return view.shows_other_client(top); };
#endif
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
    if (timeout_s < 0) return;
    const unsigned long window = window_of(*p_->editor);
    // JUCE's clock: core/process.hpp's deadline is not built for Windows.
    const double until_ms = juce::Time::getMillisecondCounterHiRes() + timeout_s * 1000;
    while (!window || !shows_plugin(window)) {
        if (juce::Time::getMillisecondCounterHiRes() >= until_ms) {
            close_editor();
            throw record_error("the plugin's editor did not show its window within " + seconds_text(timeout_s) +
                               " s");
        }
        run_messages_for(0.005);
    }
}

bool juce_instance::editor_shows_plugin() {
    if (!p_->editor) return false;
    const unsigned long window = window_of(*p_->editor);
#ifdef _WIN32
    return windows::shows_foreign_child(window, our_windows());
#else
    return x11_view().shows_other_client(window);
#endif
}

bool juce_instance::run_editor_for(double seconds, bool redraw) {
    if (!p_->editor) throw record_error("no editor is open");
    const unsigned long window = window_of(*p_->editor);
#ifdef _WIN32
    if (redraw) windows::redraw_all(window);
    run_messages_for(seconds);
    windows::let_wine_flush();
    return !static_cast<editor_window&>(*p_->editor).closed && windows::window_exists(window);
#else
    if (redraw) x11_view().expose(window);
    run_messages_for(seconds);
    return !static_cast<editor_window&>(*p_->editor).closed;
#endif
}

unsigned long juce_instance::editor_x11_window() {
    if (!p_->editor) return 0;
#ifdef _WIN32
    return windows::x11_window_of(window_of(*p_->editor));
#else
    return window_of(*p_->editor);
#endif
}

#ifdef _WIN32
// Under wine the pixels are read, and the window waited for, by the Linux
// side (wine/windows_instance.cpp), through run_editor_for.
rgb_image juce_instance::editor_picture(double) { throw record_error("the picture is read by the Linux side"); }
std::unique_ptr<editor_drawing> juce_instance::start_editor_picture(double, bool, bool) { return nullptr; }
void juce_instance::run_editor_until_closed() {
    while (run_editor_for(0.02, false)) {
    }
    close_editor();
}
#else
rgb_image juce_instance::editor_picture(double draw_s) {
    if (!p_->editor) throw record_error("no editor is open");
    x11_view view;
    const unsigned long window = window_of(*p_->editor);
    // The redraw asked of this view's connection: run_editor_for would open
    // one of its own each time.
    return view.capture_drawn(
        window,
        [&](double s, bool redraw) {
            if (redraw) view.expose(window);
            run_messages_for(s);
        },
        {draw_s, editor_still_s, editor_undrawn_wait_s, [&] { return view.shows_other_client(window); }});
}

namespace {

// A picture in steps on a connection of its own; the window asked to draw
// again, when it looks undrawn, before the loop runs next.
class x11_drawing final : public editor_drawing {
public:
    x11_drawing(unsigned long window, double draw_s, bool watch, bool just_shown)
        : window_(window),
          picture_(view_, window,
                   {draw_s, editor_still_s, editor_undrawn_wait_s, [this] { return view_.shows_other_client(window_); }},
                   watch, just_shown) {}
    bool step(double ran_s) override {
        const bool taken = picture_.step(ran_s);
        if (!taken && picture_.wants_redraw()) view_.expose(window_);
        return taken;
    }
    rgb_image take() override { return picture_.take(); }

private:
    x11_view view_;
    unsigned long window_;
    x11_view::drawn_picture picture_;
};

}  // namespace

std::unique_ptr<editor_drawing> juce_instance::start_editor_picture(double draw_s, bool kept_apart, bool just_shown) {
    if (!p_->editor) throw record_error("no editor is open");
    return std::make_unique<x11_drawing>(window_of(*p_->editor), draw_s, kept_apart, just_shown);
}

void juce_instance::run_editor_until_closed() {
    if (!p_->editor) throw record_error("no editor is open");
    const unsigned long window = window_of(*p_->editor);
    x11_view view;
    while (run_editor_for(0.02, false) && window && view.exists(window)) {
    }
    close_editor();
}
#endif

void juce_instance::close_editor() {
    if (!p_->editor) return;
    call_plugin(p_->context, [&] { p_->editor.reset(); });
}

}  // namespace vr::host
