// SPDX-License-Identifier: GPL-3.0-or-later
// vr-test-needs-display: a VST2 instrument in plain C that does what a JUCE
// 5 VST2 built with its editor does as it loads (issue 65): its entry point
// opens the X display (DISPLAY), and without one prints "Failed to connect
// to the X Server." and ends the process with exit status 1. With a
// display it keeps the connection for its life and sounds a sine
// (README.md beside this): y = 0.25 * (v / 127) * sin(2 pi f t), f the
// note's equal-tempered pitch (A4 = 440 Hz), t in samples from the
// note-on, on both channels; a note-off of that note (or CC 120, 123) ends
// it at once. One voice. With VR_TEST_NEEDS_DISPLAY_SIGKILL set, it kills
// its process with SIGKILL instead of exiting where there is no display.
//
// JUCE 5 falls back to ":0.0" when DISPLAY is unset; this plugin opens
// DISPLAY alone, so that a machine with an X server on :0 cannot make its
// tests pass without the display render-one gives it.
#define _GNU_SOURCE
#include <X11/Xlib.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "plain_vst2.h"

struct needs_display {
    plain_vst2 vst2;  // first: the host's AEffect* is our struct's address
    Display* display;
    float rate;
    int on, note;
    double amp, step;
    int64_t t;
};

static void handle_midi(plain_vst2* p, const unsigned char* m) {
    struct needs_display* s = (struct needs_display*) p;
    int kind = m[0] & 0xf0;
    if (kind == 0x90 && m[2] > 0) {
        s->on = 1;
        s->note = m[1] & 0x7f;
        s->t = 0;
        s->amp = 0.25 * ((m[2] & 0x7f) / 127.0);
        s->step = 2.0 * M_PI * 440.0 * pow(2.0, (s->note - 69) / 12.0) / (double) s->rate;
    } else if ((kind == 0x80 || kind == 0x90) && (m[1] & 0x7f) == s->note) {
        s->on = 0;
    } else if (kind == 0xb0 && (m[1] == 120 || m[1] == 123)) {
        s->on = 0;
    }
}

// Replaces what the outputs hold: no adding call is offered.
static void render(plain_vst2* p, float** out, int from, int to, int add) {
    struct needs_display* s = (struct needs_display*) p;
    (void) add;
    for (int i = from; i < to; ++i) {
        float y = s->on ? (float) (s->amp * sin(s->step * (double) s->t++)) : 0.0f;
        out[0][i] = out[1][i] = y;
    }
}

static void silence(plain_vst2* p) { ((struct needs_display*) p)->on = 0; }

static void destroy(plain_vst2* p) {
    struct needs_display* s = (struct needs_display*) p;
    XCloseDisplay(s->display);
    free(s);
}

static const plain_vst2_info info = {
    .name = "vr-test-needs-display",
    .product = "vr-test-needs-display",
    .vendor = "vst-render",
    .unique_id = CCONST('V', 'r', 'N', 'd'),
    .midi = handle_midi,
    .render = render,
    .silence = silence,
    .close = destroy,
};

// The sample rate; plain_vst2 the rest.
static VstIntPtr dispatch(AEffect* e, int opcode, int index, VstIntPtr value, void* ptr, float opt) {
    if (opcode != effSetSampleRate) return plain_vst2_dispatch(e, opcode, index, value, ptr, opt);
    ((struct needs_display*) e)->rate = opt > 0 ? opt : 48000.0f;
    return 0;
}

AEffect* VSTPluginMain(audioMasterCallback host) {
    (void) host;
    Display* display = XOpenDisplay(NULL);
    if (!display) {
        // A death no want of a display gives, for the test that render-one
        // does not take it for one.
        if (getenv("VR_TEST_NEEDS_DISPLAY_SIGKILL")) raise(SIGKILL);
        // JUCE 5's words and its end: the whole process goes.
        fputs("Failed to connect to the X Server.\n", stderr);
        exit(1);
    }
    struct needs_display* s = calloc(1, sizeof *s);
    if (!s) {
        XCloseDisplay(display);
        return NULL;
    }
    s->display = display;
    s->rate = 48000.0f;
    AEffect* e = plain_vst2_init(&s->vst2, &info);
    e->dispatcher = dispatch;
    e->process = e->processReplacing;  // not VST 1's adding call: no host here uses it
    return e;
}
