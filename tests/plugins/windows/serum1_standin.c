// SPDX-License-Identifier: GPL-3.0-or-later
// A stand-in for Serum 1's VST2 (Serum_x64.dll), built from source by
// windows.mk: Serum 1's unique id (XfsX), its programs are chunks
// (effFlagsProgramChunks), and its chunk is a zlib stream, as Serum 1's is
// (FORMATS.md). The sound is a function of the inflated chunk
// (standin_sound.h): a chunk that inflates gives its own sound, anything
// else the init patch. No Xfer code or data: what is Serum's is only the
// id and the container.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <zlib.h>

#include "pluginterfaces/vst2.x/aeffectx.h"
#include "standin_sound.h"

#define MAX_EVENTS 512
// A chunk inflating to more than this is refused (init patch).
#define MAX_STATE (16u << 20)

static const char init_state[] = "vst-render Serum 1 stand-in: init patch";

struct pending {
    int delta;
    uint8_t midi[3];
};

struct standin {
    AEffect effect;  // first: the host's AEffect* is our struct's address
    standin_voice voice;
    uint8_t* state;  // the inflated chunk the sound comes from
    size_t state_size;
    uint8_t* chunk;  // what effGetChunk last handed out (ours until the next call)
    struct pending events[MAX_EVENTS];
    int event_count;
};

static int set_state(struct standin* s, const uint8_t* bytes, size_t size) {
    uint8_t* copy = malloc(size ? size : 1);
    if (!copy) return 0;
    memcpy(copy, bytes, size);
    free(s->state);
    s->state = copy;
    s->state_size = size;
    double rate = s->voice.rate;
    int64_t calls = s->voice.process_calls;
    standin_init(&s->voice, rate, copy, size);
    s->voice.process_calls = calls;
    return 1;
}

static void set_init(struct standin* s) { set_state(s, (const uint8_t*) init_state, sizeof init_state - 1); }

// Inflates a whole zlib stream (header, data, Adler-32) into a new buffer.
static uint8_t* inflate_all(const uint8_t* in, size_t size, size_t* out_size) {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK) return NULL;
    size_t cap = 4096, used = 0;
    uint8_t* out = malloc(cap);
    z.next_in = (Bytef*) in;
    z.avail_in = (uInt) size;
    int rc = Z_OK;
    while (out && rc == Z_OK) {
        if (used == cap) {
            if (cap >= MAX_STATE) break;
            uint8_t* bigger = realloc(out, cap * 2);
            if (!bigger) break;
            out = bigger;
            cap *= 2;
        }
        z.next_out = out + used;
        z.avail_out = (uInt) (cap - used);
        rc = inflate(&z, Z_NO_FLUSH);
        used = cap - z.avail_out;
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END || z.avail_in != 0) {
        free(out);
        return NULL;
    }
    *out_size = used;
    return out;
}

static void set_chunk(struct standin* s, const uint8_t* bytes, size_t size) {
    size_t n = 0;
    uint8_t* state = bytes ? inflate_all(bytes, size, &n) : NULL;
    // Serum falls back to its init patch for a chunk it cannot read.
    if (!state || !set_state(s, state, n)) set_init(s);
    free(state);
}

static VstIntPtr get_chunk(struct standin* s, void** out) {
    uLongf size = compressBound((uLong) s->state_size);
    free(s->chunk);
    s->chunk = malloc(size);
    if (!s->chunk || compress2(s->chunk, &size, s->state, (uLong) s->state_size, 6) != Z_OK) return 0;
    *out = s->chunk;
    return (VstIntPtr) size;
}

static void process_replacing(AEffect* e, float** in, float** out, int frames) {
    (void) in;
    struct standin* s = (struct standin*) e;
    int at = 0;
    for (int i = 0; i < s->event_count; ++i) {
        int when = s->events[i].delta < at ? at : s->events[i].delta > frames ? frames : s->events[i].delta;
        standin_render(&s->voice, out[0], out[1], at, when);
        at = when;
        standin_midi(&s->voice, s->events[i].midi);
    }
    standin_render(&s->voice, out[0], out[1], at, frames);
    standin_end_call(&s->voice, out[0], out[1], frames);
    s->event_count = 0;
}

static void queue_events(struct standin* s, const VstEvents* list) {
    for (int i = 0; i < list->numEvents; ++i) {
        const VstEvent* ev = list->events[i];
        if (!ev || ev->type != kVstMidiType || s->event_count == MAX_EVENTS) continue;
        const VstMidiEvent* m = (const VstMidiEvent*) ev;
        struct pending* p = &s->events[s->event_count++];
        p->delta = m->deltaFrames > 0 ? m->deltaFrames : 0;
        memcpy(p->midi, m->midiData, sizeof p->midi);
    }
}

static void put_text(void* dst, size_t size, const char* text) {
    if (!dst || size == 0) return;
    size_t n = strlen(text);
    if (n >= size) n = size - 1;
    memcpy(dst, text, n);
    ((char*) dst)[n] = '\0';
}

static VstIntPtr dispatch(AEffect* e, int opcode, int index, VstIntPtr value, void* ptr, float opt) {
    struct standin* s = (struct standin*) e;
    (void) index;
    switch (opcode) {
        case effClose:
            free(s->state);
            free(s->chunk);
            free(s);
            return 1;
        case effSetSampleRate:
            s->voice.rate = opt > 0 ? opt : 48000.0;
            return 0;
        case effGetProgramName: put_text(ptr, kVstMaxProgNameLen, "Init"); return 0;
        case effGetProgramNameIndexed: put_text(ptr, kVstMaxProgNameLen, "Init"); return index == 0;
        case effMainsChanged:
            standin_silence(&s->voice);
            s->event_count = 0;
            return 0;
        case effGetChunk: return ptr ? get_chunk(s, (void**) ptr) : 0;
        case effSetChunk:
            set_chunk(s, (const uint8_t*) ptr, value > 0 ? (size_t) value : 0);
            return 1;
        case effProcessEvents:
            if (ptr) queue_events(s, (const VstEvents*) ptr);
            return 1;
        case effGetPlugCategory: return kPlugCategSynth;
        case effGetEffectName: put_text(ptr, kVstMaxLabelLen, "Serum"); return 1;
        case effGetVendorString: put_text(ptr, kVstMaxLabelLen, "vst-render stand-in"); return 1;
        case effGetProductString: put_text(ptr, kVstMaxLabelLen, "Serum stand-in"); return 1;
        case effGetVendorVersion: return 1;
        case effGetVstVersion: return kVstVersion;
        case effCanDo:
            return ptr && (strcmp((const char*) ptr, "receiveVstEvents") == 0 ||
                           strcmp((const char*) ptr, "receiveVstMidiEvent") == 0);
        case effGetCurrentMidiProgram: return -1;
        default: return 0;
    }
}

static void set_parameter(AEffect* e, int index, float v) {
    (void) e;
    (void) index;
    (void) v;
}

static float get_parameter(AEffect* e, int index) {
    (void) e;
    (void) index;
    return 0.0f;
}

// Exported as VSTPluginMain and main by vst2.def.
AEffect* VSTPluginMain(audioMasterCallback host);

AEffect* VSTPluginMain(audioMasterCallback host) {
    (void) host;
    struct standin* s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->voice.rate = 48000.0;
    set_init(s);
    if (!s->state) {
        free(s);
        return NULL;
    }
    AEffect* e = &s->effect;
    e->magic = kEffectMagic;
    e->dispatcher = dispatch;
    e->process = process_replacing;
    e->setParameter = set_parameter;
    e->getParameter = get_parameter;
    e->numPrograms = 1;
    e->numParams = 0;
    e->numInputs = 0;
    e->numOutputs = 2;
    e->flags = effFlagsIsSynth | effFlagsCanReplacing | effFlagsProgramChunks;
    e->object = s;
    e->uniqueID = CCONST('X', 'f', 's', 'X');
    e->version = 1;
    e->processReplacing = process_replacing;
    return e;
}
