// SPDX-License-Identifier: GPL-3.0-or-later
// What the small VST2 test instruments written in plain C or C++ on fst's
// header (no JUCE) share: the AEffect and its set-up, the dispatcher's
// common opcodes, the MIDI event queue played at each event's frame, and
// the exported entry point (README.md in tests/plugins, "Plain VST2
// instruments"). Header only, for C11 and C++20, so that each plugin stays
// one file to compile (plain_vst2.mk).
//
// A plugin puts a plain_vst2 first in its own struct (the host's AEffect*
// is then the address of both), says in a plain_vst2_info what it is and
// what its sound does with MIDI and with frames, and defines VSTPluginMain:
// allocate, plain_vst2_init, change what differs (parameters, flags, a
// dispatcher of its own that ends in plain_vst2_dispatch), return.
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pluginterfaces/vst2.x/aeffectx.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PLAIN_VST2_MAX_EVENTS 512

typedef struct plain_vst2 plain_vst2;

typedef struct {
    const char* name;     // effGetEffectName
    const char* product;  // effGetProductString
    const char* vendor;   // effGetVendorString
    int32_t unique_id;    // CCONST('a', 'b', 'c', 'd')
    // A MIDI event's three bytes take effect (at their frame).
    void (*midi)(plain_vst2* p, const unsigned char* midi);
    // Frames from..to-1 of both outputs, written, or added to the outputs
    // when add is 1 (VST 1's process call).
    void (*render)(plain_vst2* p, float** out, int from, int to, int add);
    // Every voice ends: resuming (effMainsChanged) starts from silence.
    void (*silence)(plain_vst2* p);
    // Frees the plugin, its own struct included (effClose).
    void (*close)(plain_vst2* p);
} plain_vst2_info;

typedef struct {
    int delta;
    unsigned char midi[3];
} plain_vst2_event;

struct plain_vst2 {
    AEffect effect;  // first: the host's AEffect* is this struct's address
    const plain_vst2_info* info;
    plain_vst2_event events[PLAIN_VST2_MAX_EVENTS];  // the next process call's, by frame
    int event_count;
};

// Copies text into a host's buffer of size bytes, truncated, always
// terminated; nothing when the buffer is null.
static inline void plain_vst2_put_text(void* dst, size_t size, const char* text) {
    if (!dst || size == 0) return;
    size_t n = strlen(text);
    if (n >= size) n = size - 1;
    memcpy(dst, text, n);
    ((char*) dst)[n] = '\0';
}

// Queues a list's MIDI events for the next process call (other events, and
// any beyond PLAIN_VST2_MAX_EVENTS, are dropped), kept in order of frame,
// stably: hosts send them sorted, but need not.
static inline void plain_vst2_queue(plain_vst2* p, const VstEvents* list) {
    for (int i = 0; i < list->numEvents; ++i) {
        const VstEvent* ev = list->events[i];
        if (!ev || ev->type != kVstMidiType || p->event_count == PLAIN_VST2_MAX_EVENTS) continue;
        const VstMidiEvent* m = (const VstMidiEvent*) ev;
        plain_vst2_event* q = &p->events[p->event_count++];
        q->delta = m->deltaFrames > 0 ? m->deltaFrames : 0;
        memcpy(q->midi, m->midiData, sizeof q->midi);
    }
    for (int i = 1; i < p->event_count; ++i) {
        plain_vst2_event q = p->events[i];
        int j = i;
        for (; j > 0 && p->events[j - 1].delta > q.delta; --j) p->events[j] = p->events[j - 1];
        p->events[j] = q;
    }
}

// Renders a process call's frames, each queued event taking effect at its
// frame (one past the last frame counts as the last), then empties the queue.
static inline void plain_vst2_play(plain_vst2* p, float** out, int frames, int add) {
    int at = 0;
    for (int i = 0; i < p->event_count; ++i) {
        int when = p->events[i].delta < at ? at : p->events[i].delta > frames ? frames : p->events[i].delta;
        p->info->render(p, out, at, when, add);
        at = when;
        p->info->midi(p, p->events[i].midi);
    }
    p->info->render(p, out, at, frames, add);
    p->event_count = 0;
}

static inline void plain_vst2_process_replacing(AEffect* e, float** in, float** out, int frames) {
    (void) in;
    plain_vst2_play((plain_vst2*) e, out, frames, 0);
}

static inline void plain_vst2_process_accumulating(AEffect* e, float** in, float** out, int frames) {
    (void) in;
    plain_vst2_play((plain_vst2*) e, out, frames, 1);
}

static inline void plain_vst2_set_no_parameter(AEffect* e, int index, float value) {
    (void) e;
    (void) index;
    (void) value;
}

static inline float plain_vst2_get_no_parameter(AEffect* e, int index) {
    (void) e;
    (void) index;
    return 0.0f;
}

// The opcodes every instrument here answers alike: one program, "Init";
// events queued; a synth named by its info that can receive MIDI; effClose
// and effMainsChanged through the info's close and silence. Anything else
// gives 0. A plugin's own dispatcher handles its opcodes and ends in this.
static inline VstIntPtr plain_vst2_dispatch(AEffect* e, int opcode, int index, VstIntPtr value, void* ptr,
                                            float opt) {
    plain_vst2* p = (plain_vst2*) e;
    (void) value;
    (void) opt;
    switch (opcode) {
        case effClose: p->info->close(p); return 1;
        case effGetProgramName: plain_vst2_put_text(ptr, kVstMaxProgNameLen, "Init"); return 0;
        case effGetProgramNameIndexed:
            if (index != 0) return 0;
            plain_vst2_put_text(ptr, kVstMaxProgNameLen, "Init");
            return 1;
        case effMainsChanged:
            p->info->silence(p);
            p->event_count = 0;
            return 0;
        case effProcessEvents:
            if (ptr) plain_vst2_queue(p, (const VstEvents*) ptr);
            return 1;
        case effGetPlugCategory: return kPlugCategSynth;
        case effGetEffectName: plain_vst2_put_text(ptr, kVstMaxLabelLen, p->info->name); return 1;
        case effGetVendorString: plain_vst2_put_text(ptr, kVstMaxLabelLen, p->info->vendor); return 1;
        case effGetProductString: plain_vst2_put_text(ptr, kVstMaxLabelLen, p->info->product); return 1;
        case effGetVendorVersion: return 1;
        case effGetVstVersion: return kVstVersion;
        case effCanDo:
            return ptr && (strcmp((const char*) ptr, "receiveVstEvents") == 0 ||
                           strcmp((const char*) ptr, "receiveVstMidiEvent") == 0);
        case effGetCurrentMidiProgram: return -1;
        default: return 0;
    }
}

// Sets up p's AEffect from info: a synth, no inputs, two outputs, one
// program, no parameters, version 1, VST 1's adding process call and the
// replacing one, plain_vst2_dispatch. The rest of p is left as it is (the
// caller zeroed it). Returns the AEffect, for VSTPluginMain to return.
static inline AEffect* plain_vst2_init(plain_vst2* p, const plain_vst2_info* info) {
    AEffect* e = &p->effect;
    p->info = info;
    p->event_count = 0;
    e->magic = kEffectMagic;
    e->dispatcher = plain_vst2_dispatch;
    e->process = plain_vst2_process_accumulating;
    e->setParameter = plain_vst2_set_no_parameter;
    e->getParameter = plain_vst2_get_no_parameter;
    e->numPrograms = 1;
    e->numParams = 0;
    e->numInputs = 0;
    e->numOutputs = 2;
    e->flags = effFlagsIsSynth | effFlagsCanReplacing;
    e->object = p;
    e->uniqueID = info->unique_id;
    e->version = 1;
    e->processReplacing = plain_vst2_process_replacing;
    return e;
}

// The entry point each plugin defines, its one export: by its visibility
// on Linux (the plugins are built -fvisibility=hidden), by
// tests/plugins/windows/vst2.def on Windows (as VSTPluginMain and main).
#ifdef _WIN32
AEffect* VSTPluginMain(audioMasterCallback host);
#else
__attribute__((visibility("default"))) AEffect* VSTPluginMain(audioMasterCallback host);
#endif

#ifdef __cplusplus
}
#endif
