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

#include "plain_vst2.h"
#include "standin_sound.h"

// A chunk inflating to more than this is refused (init patch).
#define MAX_STATE (16u << 20)

static const char init_state[] = "vst-render Serum 1 stand-in: init patch";

struct standin {
    plain_vst2 vst2;  // first: the host's AEffect* is our struct's address
    standin_voice voice;
    uint8_t* state;  // the inflated chunk the sound comes from
    size_t state_size;
    uint8_t* chunk;  // what effGetChunk last handed out (ours until the next call)
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

static void midi(plain_vst2* p, const unsigned char* m) { standin_midi(&((struct standin*) p)->voice, m); }

// Replaces what the outputs hold, add or not (no VST 1 adding call).
static void render(plain_vst2* p, float** out, int from, int to, int add) {
    (void) add;
    standin_render(&((struct standin*) p)->voice, out[0], out[1], from, to);
}

static void silence(plain_vst2* p) { standin_silence(&((struct standin*) p)->voice); }

static void destroy(plain_vst2* p) {
    struct standin* s = (struct standin*) p;
    free(s->state);
    free(s->chunk);
    free(s);
}

static const plain_vst2_info info = {
    .name = "Serum",
    .product = "Serum stand-in",
    .vendor = "vst-render stand-in",
    .unique_id = CCONST('X', 'f', 's', 'X'),
    .midi = midi,
    .render = render,
    .silence = silence,
    .close = destroy,
};

// The warm-up rule (README.md) after each call.
static void process_replacing(AEffect* e, float** in, float** out, int frames) {
    (void) in;
    plain_vst2_play((plain_vst2*) e, out, frames, 0);
    standin_end_call(&((struct standin*) e)->voice, out[0], out[1], frames);
}

// The sample rate and the chunks; plain_vst2 the rest.
static VstIntPtr dispatch(AEffect* e, int opcode, int index, VstIntPtr value, void* ptr, float opt) {
    struct standin* s = (struct standin*) e;
    switch (opcode) {
        case effSetSampleRate:
            s->voice.rate = opt > 0 ? opt : 48000.0;
            return 0;
        case effGetChunk: return ptr ? get_chunk(s, (void**) ptr) : 0;
        case effSetChunk:
            set_chunk(s, (const uint8_t*) ptr, value > 0 ? (size_t) value : 0);
            return 1;
        default: return plain_vst2_dispatch(e, opcode, index, value, ptr, opt);
    }
}

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
    AEffect* e = plain_vst2_init(&s->vst2, &info);
    e->dispatcher = dispatch;
    e->process = e->processReplacing = process_replacing;
    e->flags |= effFlagsProgramChunks;
    return e;
}
