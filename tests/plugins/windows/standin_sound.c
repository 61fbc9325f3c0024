// SPDX-License-Identifier: GPL-3.0-or-later
#include "standin_sound.h"

#include <math.h>
#include <string.h>

static uint64_t fnv1a64(const uint8_t* bytes, size_t size) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < size; ++i) {
        h ^= bytes[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

standin_patch standin_patch_of(const uint8_t* bytes, size_t size) {
    standin_patch p;
    uint64_t h = fnv1a64(bytes, size);
    p.hash = h;
    p.offset = (double) ((h & 0xffff) % 2401) / 100.0 - 12.0;
    p.level = 0.08 + (double) ((h >> 16) & 0xffff) / 65535.0 * 0.32;
    p.harmonics = 1 + (int) ((h >> 32) & 7);
    p.tilt = 0.3 + (double) ((h >> 40) & 0xff) / 255.0 * 0.6;
    return p;
}

void standin_init(standin_voice* v, double rate, const uint8_t* state, size_t size) {
    memset(v, 0, sizeof *v);
    v->rate = rate > 0 ? rate : 48000.0;
    v->patch = standin_patch_of(state, size);
}

void standin_silence(standin_voice* v) {
    v->on = 0;
    v->k = 0;
}

static void note_on(standin_voice* v, int note, int velocity) {
    v->on = 1;
    v->note = note;
    v->k = 0;
    v->amp = v->patch.level * (velocity / 127.0);
    v->step = 2.0 * 3.141592653589793 * 440.0 * pow(2.0, (note + v->patch.offset - 69.0) / 12.0) / v->rate;
}

void standin_midi(standin_voice* v, const uint8_t* m) {
    int kind = m[0] & 0xf0;
    if (kind == 0x90 && m[2] > 0)
        note_on(v, m[1] & 0x7f, m[2] & 0x7f);
    else if ((kind == 0x80 || kind == 0x90) && (m[1] & 0x7f) == v->note)
        v->on = 0;
    else if (kind == 0xb0 && (m[1] == 120 || m[1] == 123))
        v->on = 0;
}

void standin_render(standin_voice* v, float* left, float* right, int from, int to) {
    double norm = 0, a = 1;
    for (int j = 0; j < v->patch.harmonics; ++j, a *= v->patch.tilt) norm += a;
    for (int i = from; i < to; ++i) {
        double y = 0;
        if (v->on) {
            double phase = v->step * (double) v->k++;
            a = 1;
            for (int j = 1; j <= v->patch.harmonics; ++j, a *= v->patch.tilt) y += a * sin(phase * j);
            y *= v->amp / norm;
        }
        left[i] = (float) y;
        if (right) right[i] = (float) y;
    }
}

void standin_end_call(standin_voice* v, float* left, float* right, int frames) {
    if (frames <= 0) return;
    if (v->process_calls++ > 0) return;
    for (int i = 0; i < frames; ++i) {
        left[i] *= 10.0f;
        if (right) right[i] *= 10.0f;
    }
}
