// SPDX-License-Identifier: GPL-3.0-or-later
// vr-test-chunk-read: a VST2 instrument in plain C whose state read changes
// what it renders next, as a vendor's VST2 effect's did (issue 68: its
// effGetChunk changed its output from 60 ms into the next render). Every
// job's instance has its state read before the notes (the record's
// state_sha256), so each isolation mode gives a job the same bytes; a
// probe that compares an instance read so with one never read finds a
// difference no job ever meets (README.md beside this).
//
// One voice: a note-on of note n, velocity v starts a sine of n's equal-
// tempered frequency (A4 = 440 Hz) at phase 0.5 * c radians, c the note-ons
// the instance took before this one (its history: its reset keeps it, so
// only a new instance starts a job clean), amplitude 0.25 * v / 127,
// the same on both channels, with a linear attack of 480 frames (the
// voice's k-th frame is scaled by min(1, k / 480)); but when the host read
// the plugin's chunk (effGetChunk) since the last note-on, the attack is
// instant (no scaling). A note-off of the voice's note, CC 120 or 123 and
// effMainsChanged end it at once. The chunk is 8 fixed bytes; setting it
// changes nothing. Everything lives in the instance: no module state.
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plain_vst2.h"

#define ATTACK_FRAMES 480
#define TWO_PI 6.283185307179586

typedef struct {
    plain_vst2 base;  // first: the host's AEffect*
    float rate;
    int note;  // the sounding note, -1 for none
    double amp, step;
    int64_t frame;      // frames the voice has played
    int notes;          // note-ons taken before the sounding one
    double phase;       // the voice's starting phase
    int chunk_read;     // effGetChunk since the last note-on
    int instant;        // this voice's attack is instant
    char chunk[8];
} chunk_read;

static void midi(plain_vst2* p, const unsigned char* m) {
    chunk_read* s = (chunk_read*) p;
    const int kind = m[0] & 0xF0;
    if (kind == 0x90 && m[2] > 0) {
        s->note = m[1];
        s->amp = 0.25 * m[2] / 127.0;
        s->step = TWO_PI * 440.0 * pow(2.0, (m[1] - 69) / 12.0) / s->rate;
        s->frame = 0;
        s->phase = 0.5 * s->notes++;
        s->instant = s->chunk_read;
        s->chunk_read = 0;
    } else if ((kind == 0x80 || kind == 0x90) && m[1] == s->note) {
        s->note = -1;
    } else if (kind == 0xB0 && (m[1] == 120 || m[1] == 123)) {
        s->note = -1;
    }
}

static void render(plain_vst2* p, float** out, int from, int to, int add) {
    chunk_read* s = (chunk_read*) p;
    for (int i = from; i < to; ++i) {
        float y = 0.0f;
        if (s->note >= 0) {
            double gain = s->instant || s->frame >= ATTACK_FRAMES ? 1.0 : (double) s->frame / ATTACK_FRAMES;
            y = (float) (s->amp * gain * sin(s->phase + s->step * (double) s->frame));
            ++s->frame;
        }
        out[0][i] = add ? out[0][i] + y : y;
        out[1][i] = add ? out[1][i] + y : y;
    }
}

static void silence(plain_vst2* p) { ((chunk_read*) p)->note = -1; }

static void close_plugin(plain_vst2* p) { free(p); }

static const plain_vst2_info info = {
    .name = "vr-test-chunk-read",
    .product = "vr-test-chunk-read",
    .vendor = "vst-render tests",
    .unique_id = CCONST('v', 'r', 'c', 'r'),
    .midi = midi,
    .render = render,
    .silence = silence,
    .close = close_plugin,
};

static VstIntPtr dispatch(AEffect* e, int opcode, int index, VstIntPtr value, void* ptr, float opt) {
    chunk_read* s = (chunk_read*) e;
    switch (opcode) {
        case effSetSampleRate: s->rate = opt > 0 ? opt : 48000.0f; return 0;
        case effGetChunk:
            if (!ptr) return 0;
            s->chunk_read = 1;
            *(void**) ptr = s->chunk;
            return (VstIntPtr) sizeof s->chunk;
        case effSetChunk: return 1;
        default: return plain_vst2_dispatch(e, opcode, index, value, ptr, opt);
    }
}

AEffect* VSTPluginMain(audioMasterCallback host) {
    (void) host;
    chunk_read* s = calloc(1, sizeof *s);
    if (!s) return NULL;
    AEffect* e = plain_vst2_init(&s->base, &info);
    e->dispatcher = dispatch;
    e->flags |= effFlagsProgramChunks;
    s->rate = 48000.0f;
    s->note = -1;
    memcpy(s->chunk, "vrchunk1", sizeof s->chunk);
    return e;
}
