// SPDX-License-Identifier: GPL-3.0-or-later
// The sound of the Serum stand-ins (README.md, "Serum stand-ins"): one
// voice whose pitch, timbre and level are a function of the plugin's state
// bytes, so that what a preset load handed over is audible and two states
// sound different. Shared by the VST2 (C) and the VST3 (JUCE) stand-in.
#pragma once
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// What the state bytes make of the sound.
typedef struct {
    uint64_t hash;     // FNV-1a 64 of the state bytes
    double offset;     // semitones added to the note, -12.00 .. +12.00
    double level;      // amplitude at velocity 127, 0.08 .. 0.40
    int harmonics;     // 1 .. 8 partials
    double tilt;       // partial j's amplitude is tilt^(j - 1), 0.30 .. 0.90
} standin_patch;

// The patch of a state: every field from the FNV-1a 64 hash of the bytes.
standin_patch standin_patch_of(const uint8_t* bytes, size_t size);

typedef struct {
    standin_patch patch;
    double rate;
    int on, note;
    double amp, step;
    int64_t k;
    int64_t process_calls;  // calls that had frames, since the voice was made
} standin_voice;

// A silent voice at rate, process_calls 0, with the patch of these bytes.
void standin_init(standin_voice* v, double rate, const uint8_t* state, size_t size);
// Silences the voice; process_calls stays (the warm-up rule is per instance).
void standin_silence(standin_voice* v);
// MIDI bytes (status, data1, data2): note-on, note-off, CC 120 and 123.
void standin_midi(standin_voice* v, const uint8_t* midi);
// Writes samples from..to-1 of both channels (right may be null).
void standin_render(standin_voice* v, float* left, float* right, int from, int to);
// Call once per process call with frames, after rendering it: the first
// call of the voice's life comes out 10x louder, as Serum 2's first render
// after loading does (its sample data loads lazily).
void standin_end_call(standin_voice* v, float* left, float* right, int frames);

#ifdef __cplusplus
}
#endif
