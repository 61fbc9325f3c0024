// SPDX-License-Identifier: GPL-3.0-or-later
// A plugin editor's window as the X server holds it (render-one(1),
// "Editors and pictures"): whether the plugin has shown its own window in
// it, whether the window is still there, and its pixels. A connection of
// our own to the display DISPLAY names, apart from JUCE's and the
// plugin's: the pixels are read from the server, so they are the plugin's
// own (a VST2 or VST3 editor draws in a child window of its own, which a
// snapshot of the host's components would not hold). No JUCE here.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "preview/images.hpp"

namespace vr::host {

// A picture's error when the editor's window no longer shows a window of
// the plugin's own: what could be read is only the host's.
inline constexpr const char* editor_hidden_message =
    "the plugin's editor hid its window: a picture would hold none of its pixels";

class x11_view {
public:
    // Connects to DISPLAY; throws record_error naming it when there is no
    // display to connect to.
    x11_view();
    ~x11_view();
    x11_view(const x11_view&) = delete;
    x11_view& operator=(const x11_view&) = delete;

    // Whether window is viewable (mapped, its parents too) and holds a
    // viewable window another X client made: the plugin's own, as its
    // editor shows it in the host's window.
    bool shows_other_client(unsigned long window);

    // Asks every window from window down to draw itself whole again (an
    // Expose event each, as when a window in front of it goes): an editor
    // that missed its first (DPF's OpenGL ones, at times) draws then.
    void expose(unsigned long window);

    // Asks the X server to keep the pixels of each window of the screen's
    // (and what is drawn in it) apart from the others', off the screen
    // (the Composite extension's automatic redirection), for as long as
    // this connection lives: a window under another still has its own
    // pixels to read (capture). False when the server, or libXcomposite
    // here, cannot.
    bool keep_windows_apart();

    // Has the X server tell this connection when window's pixels change
    // (the Damage extension), what is drawn in its children included when
    // its pixels are kept apart (keep_windows_apart): changed() then says
    // whether they changed since it last asked. False when it cannot (then
    // changed() says true: the window is read to see).
    bool watch_changes(unsigned long window);
    bool changed();

    // Whether window still exists (a user closing it destroys it).
    bool exists(unsigned long window);

    // Whether window is viewable: mapped, and its parents too (a wine
    // window, whose plugin's child windows are drawn into it, once shown).
    bool viewable(unsigned long window);

    // The pixels of window as the screen shows it, its children's
    // included, clipped to the screen; throws record_error when the server
    // refuses (a window not viewable).
    rgb_image capture(unsigned long window);

    // The editor's picture once it has drawn what the job changed: its
    // message loop run (run(seconds, false)) in steps of picture_step_s,
    // the window's pixels read after each, and taken once they differ from
    // what the window showed at the start and have then held still for
    // still_s; after draw_s when they never held still, or never changed
    // (an editor that showed the job's settings already, or draws them on
    // a slow timer). While they hold no more than two colours (an editor
    // not drawn yet: Nekobi's OpenGL one missed its first Expose at times),
    // run(0.05, redraw) again, redraw true each tenth time (the windows
    // asked to draw again), for up to undrawn_wait_s.
    using message_loop = std::function<void(double seconds, bool redraw)>;
    // With shows_plugin, a plugin that no longer shows its window once
    // drawn is refused, before any wait for an undrawn picture: its picture
    // would hold none of its pixels, only the host's (a Linux plugin draws
    // in an X window of its own client, shows_other_client; wine draws a
    // Windows plugin's into its own, and the Windows worker is asked).
    struct draw_times {
        double draw_s = 0;
        double still_s = 0;
        double undrawn_wait_s = 0;
        std::function<bool()> shows_plugin;
    };
    rgb_image capture_drawn(unsigned long window, const message_loop& run, const draw_times& t);
    static constexpr double picture_step_s = 0.005;
    // How often the window is asked to draw again while it looks undrawn,
    // in seconds of its message loop.
    static constexpr double undrawn_step_s = 0.05;

    // capture_drawn's picture taken in steps: the window's pixels read
    // after each time the message loop ran, told how long it ran. One
    // loop serves every editor of the process, so one run draws several
    // pictures at once (a worker's jobs' pictures, render-one(1)). The
    // times of draw_times are times the loop ran, not time passed: while
    // it does not run (a render in place) no editor draws, and that time
    // neither shows stillness nor uses up the draw_s given.
    class drawn_picture {
    public:
        // Reads what the window shows before the loop runs. With watch, the
        // window is read only once the server says it changed
        // (watch_changes; for a window whose pixels are kept apart). With
        // just_shown (a window shown for the first time), what it shows
        // counts as changed: it is taken once it held still.
        drawn_picture(x11_view& view, unsigned long window, draw_times t, bool watch = false,
                      bool just_shown = false);
        // After the loop ran ran_s more seconds: whether the picture is
        // taken (then take() gives it). Throws record_error as
        // capture_drawn does.
        bool step(double ran_s);
        // The next run should ask the window to draw again (an editor that
        // still looks undrawn).
        bool wants_redraw() const noexcept { return redraw_; }
        rgb_image take() { return std::move(picture_); }

    private:
        x11_view& view_;
        unsigned long window_;
        draw_times t_;
        rgb_image picture_;
        double ran_ = 0;       // the loop's seconds in the current phase
        double still_ = -1;    // since its last change (-1: not changed yet)
        bool drawing_ = true;  // false once it changed and held still, or draw_s is over
        double since_read_ = 0;  // an undrawn window's seconds since it was read
        int tries_ = 0;
        bool redraw_ = false;
    };

private:
    struct impl;
    std::unique_ptr<impl> p_;
};

}  // namespace vr::host
