// SPDX-License-Identifier: GPL-3.0-or-later
// first-call.exe DLL: the barest VST2 host, with no warm-up, to show what
// render-one's warm-up hides (DESIGN.md rule 4). It loads the plugin, then
// twice plays note 60 at velocity 127 from the block's first sample, one
// block of 256 frames at 48 kHz, the plugin switched off and on between,
// and prints the two blocks' peaks on one line ("%.9g %.9g"). A plugin
// whose first process call is louder (the Serum stand-ins' 10x) shows it.
// Exit status 1 when the plugin does not load.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "pluginterfaces/vst2.x/aeffectx.h"

#define FRAMES 256

typedef AEffect* (*plugin_main)(audioMasterCallback);

static VstIntPtr host(AEffect* e, int opcode, int index, VstIntPtr value, void* ptr, float opt) {
    (void) e;
    (void) index;
    (void) value;
    (void) ptr;
    (void) opt;
    return opcode == audioMasterVersion ? 2400 : 0;
}

static float play_note(AEffect* e) {
    static float left[FRAMES], right[FRAMES];
    float* out[2] = {left, right};
    VstMidiEvent note;
    memset(&note, 0, sizeof note);
    note.type = kVstMidiType;
    note.byteSize = sizeof note;
    note.midiData[0] = (char) 0x90;
    note.midiData[1] = 60;
    note.midiData[2] = 127;
    // fst declares the list's pointers a flexible array.
    VstEvents* events = calloc(1, sizeof *events + 2 * sizeof(VstEvent*));
    if (!events) return -1;
    events->numEvents = 1;
    events->events[0] = (VstEvent*) &note;
    e->dispatcher(e, effMainsChanged, 0, 1, NULL, 0.0f);
    e->dispatcher(e, effProcessEvents, 0, 0, events, 0.0f);
    e->processReplacing(e, NULL, out, FRAMES);
    e->dispatcher(e, effMainsChanged, 0, 0, NULL, 0.0f);
    free(events);
    float peak = 0;
    for (int i = 0; i < FRAMES; ++i) peak = fmaxf(peak, fabsf(left[i]));
    return peak;
}

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: first-call.exe DLL\n");
        return 2;
    }
    HMODULE dll = LoadLibraryA(argv[1]);
    plugin_main entry = dll ? (plugin_main) (void*) GetProcAddress(dll, "VSTPluginMain") : NULL;
    AEffect* e = entry ? entry(host) : NULL;
    if (!e || e->magic != kEffectMagic) {
        fprintf(stderr, "first-call.exe: %s: not a VST2 plugin that loads\n", argv[1]);
        return 1;
    }
    e->dispatcher(e, effOpen, 0, 0, NULL, 0.0f);
    e->dispatcher(e, effSetSampleRate, 0, 0, NULL, 48000.0f);
    e->dispatcher(e, effSetBlockSize, 0, FRAMES, NULL, 0.0f);
    float first = play_note(e);
    float second = play_note(e);
    printf("%.9g %.9g\n", first, second);
    e->dispatcher(e, effClose, 0, 0, NULL, 0.0f);
    return 0;
}
