// SPDX-License-Identifier: GPL-3.0-or-later
// vr-test-static-state: a VST2 instrument in plain C that keeps state where
// a plugin built with a static C runtime keeps it (README.md beside this):
// in its module's globals and in heap blocks only a global points to, not
// only in its instance. A second instance made in the same process starts
// from what the first left there, so `--isolation fresh` and `reset` give
// equal jobs different bytes and only a new process (or a fork from a
// never-played instance) starts it clean: the plugin issue 46's cheaper
// clean state is proved on.
//
// A note-on of note n, velocity v (1..127) takes a 64-bit value from the
// state kind n - 60, then changes that kind (notes outside 60..63 are
// silent):
//
//   60  a generator in a static: value = splitmix64 of the static after
//       adding 0x9e3779b97f4a7c15 to it (as a C runtime's rand state)
//   61  a table of 65,536 floats (256 KiB) in the data segment, each 1.0
//       at load: value = FNV-1a of its bytes; then the note adds 1.0 to
//       every 16th entry from (v mod 16)
//   62  heap blocks a global keeps: 4,096 bytes from a heap of the
//       plugin's own (HeapCreate on Windows) and 4,096 from the process's
//       heap (HeapAlloc(GetProcessHeap()); malloc on Linux), zeroed when
//       first allocated, at the first note 62 of the process: value =
//       FNV-1a of both; then the note adds 1 to byte (count mod 4096) of
//       each, count the notes 62 played so far in the process
//   63  the instance: value = the number of note-ons this instance took
//       before this one (any note)
//
// Built for Windows with VR_PIN_MODULE defined, the plugin pins its module
// at its first instance (GetModuleHandleEx's GET_MODULE_HANDLE_EX_FLAG_PIN),
// as plugins that register window classes, start threads or hand out
// callbacks do so as not to be unloaded under them: its statics then
// outlive every instance. Without it, the host's unloading the module when
// the last instance goes (JUCE's VST2 host does) loads it anew, statics
// and all, for the next.
//
// The voice is white noise from a xorshift64* generator, state x = value
// (0x9e3779b97f4a7c15 when it is 0), per sample
//   x ^= x >> 12; x ^= x << 25; x ^= x >> 27; r = x * 0x2545f4914f6cdd1d
//   y = amp * ((double) (r >> 11) * 2^-53 * 2.0 - 1.0), amp = 0.25 * v / 127
// summed over the sounding voices, the same on both channels. A note-off
// ends the voice at once; CC 120 and 123 end every voice.
#ifdef _WIN32
#include <windows.h>
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plain_vst2.h"

#define FIRST_NOTE 60
#define KINDS 4
#define TABLE_LEN 65536
#define KEPT_BYTES 4096

// The module's state: what a second instance in this process starts from.
static uint64_t generator = 0x2545f4914f6cdd1dULL;
// In .data, not .bss: its bytes at load come from the file, as a static
// runtime's initialised tables do (GCC's range initialiser).
static float table[TABLE_LEN] = {[0 ... TABLE_LEN - 1] = 1.0f};
static unsigned char* kept_own;      // from the plugin's own heap
static unsigned char* kept_process;  // from the process's heap
static uint64_t kept_notes;
#ifdef _WIN32
static HANDLE own_heap;
#endif

typedef struct {
    uint64_t x;
    double amp;
    int note;  // -1: silent
} voice;

typedef struct {
    plain_vst2 vst2;  // first: the AEffect
    voice voices[128];
    uint64_t note_ons;  // this instance's, every note
} static_state;

static uint64_t fnv(const unsigned char* b, size_t n, uint64_t h) {
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

static uint64_t splitmix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int keep_blocks(void) {
    if (kept_own) return 1;
#ifdef _WIN32
    own_heap = HeapCreate(0, 0, 0);
    if (!own_heap) return 0;
    kept_own = (unsigned char*) HeapAlloc(own_heap, HEAP_ZERO_MEMORY, KEPT_BYTES);
    kept_process = (unsigned char*) HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, KEPT_BYTES);
#else
    kept_own = (unsigned char*) calloc(1, KEPT_BYTES);
    kept_process = (unsigned char*) calloc(1, KEPT_BYTES);
#endif
    return kept_own && kept_process;
}

// The value of state kind `kind` (0..3), and that kind changed; `before`
// is the instance's count of note-ons before this one.
static uint64_t take_value(int kind, int velocity, uint64_t before) {
    uint64_t value = 0;
    switch (kind) {
        case 0:
            generator += 0x9e3779b97f4a7c15ULL;
            value = splitmix(generator);
            break;
        case 1:
            value = fnv((const unsigned char*) table, sizeof table, 0xcbf29ce484222325ULL);
            for (int i = velocity % 16; i < TABLE_LEN; i += 16) table[i] += 1.0f;
            break;
        case 2:
            if (!keep_blocks()) return 0;
            value = fnv(kept_process, KEPT_BYTES, fnv(kept_own, KEPT_BYTES, 0xcbf29ce484222325ULL));
            ++kept_own[kept_notes % KEPT_BYTES];
            ++kept_process[kept_notes % KEPT_BYTES];
            ++kept_notes;
            break;
        default: value = before; break;
    }
    return value;
}

static void silence_all(static_state* s) {
    for (int i = 0; i < 128; ++i) s->voices[i].note = -1;
}

static void on_midi(plain_vst2* p, const unsigned char* m) {
    static_state* s = (static_state*) p;
    const int status = m[0] & 0xf0, note = m[1] & 0x7f, velocity = m[2] & 0x7f;
    if (status == 0x90 && velocity > 0) {
        const int kind = note - FIRST_NOTE;
        const uint64_t before = s->note_ons++;
        if (kind < 0 || kind >= KINDS) return;
        const uint64_t value = take_value(kind, velocity, before);
        voice* v = &s->voices[note];
        v->x = value ? value : 0x9e3779b97f4a7c15ULL;
        v->amp = 0.25 * velocity / 127.0;
        v->note = note;
    } else if (status == 0x80 || (status == 0x90 && velocity == 0)) {
        s->voices[note].note = -1;
    } else if (status == 0xb0 && (note == 120 || note == 123)) {
        silence_all(s);
    }
}

static void render(plain_vst2* p, float** out, int from, int to, int add) {
    static_state* s = (static_state*) p;
    for (int f = from; f < to; ++f) {
        double y = 0.0;
        for (int i = 0; i < 128; ++i) {
            voice* v = &s->voices[i];
            if (v->note < 0) continue;
            v->x ^= v->x >> 12;
            v->x ^= v->x << 25;
            v->x ^= v->x >> 27;
            const uint64_t r = v->x * 0x2545f4914f6cdd1dULL;
            y += v->amp * ((double) (r >> 11) * (1.0 / 9007199254740992.0) * 2.0 - 1.0);
        }
        for (int c = 0; c < 2; ++c) out[c][f] = add ? out[c][f] + (float) y : (float) y;
    }
}

static void silence(plain_vst2* p) { silence_all((static_state*) p); }

static void close_plugin(plain_vst2* p) { free(p); }

#ifdef VR_PIN_MODULE
#define NAME "vr-test-static-state-pinned"
#define UNIQUE_ID CCONST('V', 'r', 'S', 'p')
#else
#define NAME "vr-test-static-state"
#define UNIQUE_ID CCONST('V', 'r', 'S', 't')
#endif

static const plain_vst2_info info = {
    .name = NAME,
    .product = NAME,
    .vendor = "vst-render",
    .unique_id = UNIQUE_ID,
    .midi = on_midi,
    .render = render,
    .silence = silence,
    .close = close_plugin,
};

AEffect* VSTPluginMain(audioMasterCallback host) {
    (void) host;
#if defined(_WIN32) && defined(VR_PIN_MODULE)
    HMODULE self;
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
                            (LPCWSTR) (void*) &generator, &self))
        return NULL;
#endif
    static_state* s = (static_state*) calloc(1, sizeof *s);
    if (!s) return NULL;
    silence_all(s);
    return plain_vst2_init(&s->vst2, &info);
}
