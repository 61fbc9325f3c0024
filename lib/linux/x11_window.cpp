// SPDX-License-Identifier: GPL-3.0-or-later
#include "linux/x11_window.hpp"

#include <X11/Xlib.h>
#include <X11/Xutil.h>

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <optional>
#include <vector>

#include "core/error.hpp"
#include "core/process.hpp"

namespace vr::host {

namespace {

// Xlib, opened when a first editor is shown (as JUCE opens it): a job
// that shows none never loads it. XGetPixel and XDestroyImage are calls
// through the image's own functions.
struct xlib {
    decltype(&XOpenDisplay) open_display;
    decltype(&XCloseDisplay) close_display;
    decltype(&XSetErrorHandler) set_error_handler;
    decltype(&XSync) sync;
    decltype(&XQueryTree) query_tree;
    decltype(&XFree) free;
    decltype(&XGetWindowAttributes) get_window_attributes;
    decltype(&XTranslateCoordinates) translate_coordinates;
    decltype(&XGetImage) get_image;
    decltype(&XInternAtom) intern_atom;
    decltype(&XClearArea) clear_area;
    decltype(&XPending) pending;
    decltype(&XNextEvent) next_event;
};

template <typename F>
bool find(void* lib, const char* name, F& f) {
    f = reinterpret_cast<F>(::dlsym(lib, name));
    return f != nullptr;
}

// Throws record_error when libX11 cannot be opened.
const xlib& x() {
    static const xlib* loaded = [] {
        static xlib l{};
        void* lib = ::dlopen("libX11.so.6", RTLD_NOW | RTLD_LOCAL);
        if (!lib) return static_cast<const xlib*>(nullptr);
        const bool all = find(lib, "XOpenDisplay", l.open_display) && find(lib, "XCloseDisplay", l.close_display) &&
                         find(lib, "XSetErrorHandler", l.set_error_handler) && find(lib, "XSync", l.sync) &&
                         find(lib, "XQueryTree", l.query_tree) && find(lib, "XFree", l.free) &&
                         find(lib, "XGetWindowAttributes", l.get_window_attributes) &&
                         find(lib, "XTranslateCoordinates", l.translate_coordinates) &&
                         find(lib, "XGetImage", l.get_image) && find(lib, "XInternAtom", l.intern_atom) &&
                         find(lib, "XClearArea", l.clear_area) && find(lib, "XPending", l.pending) &&
                         find(lib, "XNextEvent", l.next_event);
        return all ? static_cast<const xlib*>(&l) : nullptr;
    }();
    if (!loaded) throw record_error("cannot load libX11.so.6, which showing a plugin's editor needs");
    return *loaded;
}

// Xlib's own error handler ends the process at the first error of any
// connection, and neither JUCE in a host that is no JUCE application nor a
// JUCE plugin installs another (JUCE 7 installs its own only in a
// standalone app): a request of theirs that the server refuses (an atom no
// window manager made, on Xvfb) would end the worker. A host's handler
// notes errors instead, for the whole process, from the first editor on;
// ours check the count around their own requests. Only the main thread
// calls these.
int g_errors = 0;
int note_error(Display*, XErrorEvent*) {
    ++g_errors;
    return 0;
}

class noting_errors {
public:
    explicit noting_errors(Display* d) : d_(d) {
        x().sync(d_, False);
        g_errors = 0;
    }
    // Whether one of our requests since failed (after a round trip).
    bool failed() {
        x().sync(d_, False);
        return g_errors != 0;
    }

private:
    Display* d_;
};

// The children of window, or none when it is gone.
std::vector<Window> children_of(Display* d, Window w) {
    Window root = 0, parent = 0, *kids = nullptr;
    unsigned int n = 0;
    std::vector<Window> out;
    if (x().query_tree(d, w, &root, &parent, &kids, &n) && kids) {
        out.assign(kids, kids + n);
        x().free(kids);
    }
    return out;
}

bool is_viewable(Display* d, Window w) {
    XWindowAttributes a{};
    return x().get_window_attributes(d, w, &a) && a.map_state == IsViewable;
}

// The part of an id that is the same in every resource of one client: the
// server gives each client a base, and the ids it makes differ only in the
// bits of the resource mask (the display's private4, Xlibint.h's
// resource_mask, the same for every client of a server).
XID client_of(Display* d, XID id) { return id & ~reinterpret_cast<_XPrivDisplay>(d)->private4; }

}  // namespace

// The atoms a window manager makes, made on our display before an editor's
// window is: JUCE sets WM_PROTOCOLS and the _NET_WM ones on each window it
// makes when they exist, but asks for them without making them, and on an
// Xvfb no one has made them then: it sets a property named by atom 0 (a
// BadAtom error; under GTK's error handler, amsynth's, the process ends).
constexpr const char* wm_atoms[] = {
    "WM_PROTOCOLS", "WM_TAKE_FOCUS", "WM_DELETE_WINDOW", "WM_CHANGE_STATE", "WM_STATE", "_NET_WM_PING",
    "_NET_WM_WINDOW_TYPE", "_NET_WM_WINDOW_TYPE_NORMAL", "_NET_WM_STATE", "_NET_WM_STATE_HIDDEN",
};

struct x11_view::impl {
    Display* display = nullptr;
    // watch_changes: the Damage extension's first event, and the damage
    // object that notes the window's changes (0: none).
    int damage_event = 0;
    XID damage = 0;
};

namespace {

// libXdamage, opened by the first watch_changes.
struct xdamage {
    Bool (*query)(Display*, int*, int*);
    XID (*create)(Display*, Drawable, int);
    void (*subtract)(Display*, XID, XID, XID);
    void (*destroy)(Display*, XID);
};

const xdamage* damage_lib() {
    static const xdamage* loaded = [] {
        static xdamage l{};
        void* lib = ::dlopen("libXdamage.so.1", RTLD_NOW | RTLD_LOCAL);
        if (!lib) return static_cast<const xdamage*>(nullptr);
        const bool all = find(lib, "XDamageQueryExtension", l.query) && find(lib, "XDamageCreate", l.create) &&
                         find(lib, "XDamageSubtract", l.subtract) && find(lib, "XDamageDestroy", l.destroy);
        return all ? static_cast<const xdamage*>(&l) : nullptr;
    }();
    return loaded;
}

}  // namespace

x11_view::x11_view() : p_(std::make_unique<impl>()) {
    static const bool handled = (x().set_error_handler(note_error), true);
    (void)handled;
    const char* name = std::getenv("DISPLAY");
    p_->display = x().open_display(nullptr);
    if (!p_->display)
        throw record_error(std::string("cannot connect to the X display (DISPLAY=") + (name ? name : "") + ")");
    for (const char* atom : wm_atoms) x().intern_atom(p_->display, atom, False);
    x().sync(p_->display, False);
}

x11_view::~x11_view() {
    if (!p_->display) return;
    if (p_->damage) damage_lib()->destroy(p_->display, p_->damage);
    x().close_display(p_->display);
}

bool x11_view::watch_changes(unsigned long window) {
    const xdamage* dl = damage_lib();
    Display* d = p_->display;
    int error_base = 0;
    if (!dl || p_->damage || !dl->query(d, &p_->damage_event, &error_base)) return false;
    noting_errors errors(d);
    constexpr int report_non_empty = 3;  // XDamageReportNonEmpty: an event once, until subtracted
    const XID damage = dl->create(d, window, report_non_empty);
    if (errors.failed()) return false;
    p_->damage = damage;
    return true;
}

bool x11_view::changed() {
    if (!p_->damage) return true;
    Display* d = p_->display;
    bool any = false;
    while (x().pending(d) > 0) {
        XEvent e;
        x().next_event(d, &e);
        constexpr int damage_notify = 0;  // XDamageNotify
        if (e.type == p_->damage_event + damage_notify) any = true;
    }
    // Noted again from here on: the next change sends another event.
    if (any) damage_lib()->subtract(d, p_->damage, 0, 0);
    return any;
}

bool x11_view::keep_windows_apart() {
    // libXcomposite, opened here alone: only a worker that draws several
    // pictures at once asks for it.
    Bool (*query)(Display*, int*, int*) = nullptr;
    void (*redirect)(Display*, Window, int) = nullptr;
    void* lib = ::dlopen("libXcomposite.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib || !find(lib, "XCompositeQueryExtension", query) || !find(lib, "XCompositeRedirectSubwindows", redirect))
        return false;
    Display* d = p_->display;
    int event_base = 0, error_base = 0;
    if (!query(d, &event_base, &error_base)) return false;
    noting_errors errors(d);
    constexpr int automatic = 0;  // CompositeRedirectAutomatic: the server still shows them
    for (int screen = 0; screen < ScreenCount(d); ++screen) redirect(d, RootWindow(d, screen), automatic);
    return !errors.failed();
}

bool x11_view::shows_other_client(unsigned long window) {
    Display* d = p_->display;
    noting_errors errors(d);
    if (!is_viewable(d, window)) return false;
    const XID ours = client_of(d, window);
    std::vector<Window> todo = children_of(d, window);
    while (!todo.empty()) {
        const Window w = todo.back();
        todo.pop_back();
        if (!is_viewable(d, w)) continue;
        if (client_of(d, w) != ours) return !errors.failed();
        for (Window k : children_of(d, w)) todo.push_back(k);
    }
    return false;
}

void x11_view::expose(unsigned long window) {
    Display* d = p_->display;
    noting_errors errors(d);
    std::vector<Window> todo{window};
    while (!todo.empty()) {
        const Window w = todo.back();
        todo.pop_back();
        x().clear_area(d, w, 0, 0, 0, 0, True);
        for (Window k : children_of(d, w)) todo.push_back(k);
    }
    (void)errors.failed();
}

bool x11_view::exists(unsigned long window) {
    Display* d = p_->display;
    noting_errors errors(d);
    XWindowAttributes a{};
    return x().get_window_attributes(d, window, &a) && !errors.failed();
}

bool x11_view::viewable(unsigned long window) {
    Display* d = p_->display;
    noting_errors errors(d);
    return is_viewable(d, window) && !errors.failed();
}

namespace {

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

}  // namespace

x11_view::drawn_picture::drawn_picture(x11_view& view, unsigned long window, draw_times t, bool watch,
                                       bool just_shown)
    : view_(view), window_(window), t_(std::move(t)), still_(just_shown ? 0 : -1) {
    if (watch) view_.watch_changes(window_);  // before the start is read: no change missed
    picture_ = view_.capture(window_);
}

bool x11_view::drawn_picture::step(double ran_s) {
    ran_ += ran_s;
    if (drawing_) {
        // Taken once it changed from what it showed at the start and then
        // held still for still_s; after draw_s when it never held still.
        // (A watched window is read only when the server says it changed.)
        rgb_image now = view_.changed() ? view_.capture(window_) : rgb_image{};
        if (now.width && (now.width != picture_.width || now.height != picture_.height || now.pixels != picture_.pixels)) {
            picture_ = std::move(now);
            still_ = 0;
        } else if (still_ >= 0) {
            still_ += ran_s;
        }
        if (ran_ < t_.draw_s && !(still_ >= t_.still_s)) return false;
        drawing_ = false;
        if (t_.shows_plugin && !t_.shows_plugin()) throw record_error(editor_hidden_message);
        ran_ = 0;
        redraw_ = looks_undrawn(picture_);
        return !redraw_;
    }
    // An editor not drawn yet: read again each undrawn_step_s, asked to
    // draw again each tenth time, for up to undrawn_wait_s.
    redraw_ = false;
    since_read_ += ran_s;
    if (since_read_ < undrawn_step_s && ran_ < t_.undrawn_wait_s) return false;
    since_read_ = 0;
    picture_ = view_.capture(window_);
    if (!looks_undrawn(picture_) || ran_ >= t_.undrawn_wait_s) return true;
    redraw_ = ++tries_ % 10 == 0;
    return false;
}

rgb_image x11_view::capture_drawn(unsigned long window, const message_loop& run, const draw_times& t) {
    drawn_picture picture(*this, window, t);
    for (;;) {
        // As long as the loop ran, measured: a repaint may keep it longer.
        const auto before = std::chrono::steady_clock::now();
        run(picture_step_s, picture.wants_redraw());
        if (picture.step(std::chrono::duration<double>(std::chrono::steady_clock::now() - before).count()))
            return picture.take();
    }
}

rgb_image x11_view::capture(unsigned long window) {
    Display* d = p_->display;
    noting_errors errors(d);
    XWindowAttributes a{};
    if (!x().get_window_attributes(d, window, &a) || a.map_state != IsViewable)
        throw record_error("the editor's window is not shown");
    // Clipped to the screen: the server has no pixels beyond it.
    Window child = 0;
    int at_x = 0, at_y = 0;
    x().translate_coordinates(d, window, a.root, 0, 0, &at_x, &at_y, &child);
    const int width = std::min(a.width, std::max(0, a.screen->width - at_x));
    const int height = std::min(a.height, std::max(0, a.screen->height - at_y));
    if (width <= 0 || height <= 0 || at_x < 0 || at_y < 0) throw record_error("the editor's window lies off the screen");
    XImage* image = x().get_image(d, window, 0, 0, static_cast<unsigned>(width), static_cast<unsigned>(height), AllPlanes,
                              ZPixmap);
    if (!image || errors.failed()) {
        if (image) XDestroyImage(image);
        throw record_error("the X server would not give the editor's window's pixels");
    }
    // Each channel's mask scaled to 8 bits (a 24-bit visual: 0xff0000,
    // 0xff00, 0xff).
    auto channel = [](unsigned long pixel, unsigned long mask) {
        if (!mask) return std::uint8_t{0};
        const int shift = __builtin_ctzl(mask);
        const unsigned long top = mask >> shift;
        return static_cast<std::uint8_t>(((pixel & mask) >> shift) * 255 / top);
    };
    rgb_image out;
    out.width = width;
    out.height = height;
    out.pixels.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3);
    std::uint8_t* px = out.pixels.data();
    // The usual 24-bit visual in 32-bit pixels, its bytes read as they lie
    // (XGetPixel's call a pixel is most of a small window's capture).
    if (image->bits_per_pixel == 32 && image->byte_order == LSBFirst && image->red_mask == 0xff0000 &&
        image->green_mask == 0xff00 && image->blue_mask == 0xff) {
        for (int row = 0; row < height; ++row) {
            const auto* in = reinterpret_cast<const std::uint8_t*>(image->data) +
                             static_cast<std::ptrdiff_t>(row) * image->bytes_per_line;
            for (int col = 0; col < width; ++col, in += 4) {
                *px++ = in[2];
                *px++ = in[1];
                *px++ = in[0];
            }
        }
        XDestroyImage(image);
        return out;
    }
    for (int row = 0; row < height; ++row)
        for (int col = 0; col < width; ++col) {
            const unsigned long v = XGetPixel(image, col, row);
            *px++ = channel(v, image->red_mask);
            *px++ = channel(v, image->green_mask);
            *px++ = channel(v, image->blue_mask);
        }
    XDestroyImage(image);
    return out;
}

}  // namespace vr::host
