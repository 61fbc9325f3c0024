// SPDX-License-Identifier: GPL-3.0-or-later
// The least a VST2 host can do to play one note: a yardstick for
// render-one's samples (tests/minimal-host.bats). Opens the plugin, sets
// 44100 Hz and 512-frame blocks, turns it on, sends the note-on at frame 0
// and the note-off at the duration, each in the block it falls in, and
// writes the output as raw float32, two channels interleaved (what
// render-one writes after the header of a float32 .npy).
//
//   minimal-vst2-host PLUGIN NOTE VELOCITY DURATION_S TAIL_S OUTPUT
//
// VR_WARM_UP="NOTE VELOCITY DURATION_S TAIL_S" plays that note first, its
// output discarded, then turns the plugin off and on (effMainsChanged 0
// then 1, which is JUCE's reset()): render-one's warm-up, so that its trace
// in a plugin can be told from that of anything else render-one does.
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Debian fst-dev's VST2 names, as the test synth sees them.
#include <pluginterfaces/vst2.x/aeffectx.h>

enum { sample_rate = 44100, block_size = 512, max_channels = 64 };

static VstIntPtr host_callback(AEffect* effect, int opcode, int index, VstIntPtr value, void* ptr, float opt) {
    (void)effect, (void)index, (void)value, (void)ptr, (void)opt;
    switch (opcode) {
        case audioMasterVersion: return 2400;
        case audioMasterGetSampleRate: return sample_rate;
        case audioMasterGetBlockSize: return block_size;
        default: return 0;  // no time info, no automation, nothing else
    }
}

// render-one's seconds_to_frames: rounded to the nearest frame.
static long long frames_of(double seconds) { return llround(seconds * sample_rate); }

static int die(const char* what, const char* detail) {
    fprintf(stderr, "minimal-vst2-host: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    return 1;
}

// One MIDI message in a VstEvents list of one (events[] is a flexible
// array: the union gives it room for one pointer).
struct one_event {
    VstMidiEvent midi;
    union {
        VstEvents list;
        char room[sizeof(VstEvents) + sizeof(VstEvent*)];
    } u;
};

static void send_midi(AEffect* effect, unsigned char status, int note, int velocity, int delta) {
    static struct one_event e;
    memset(&e, 0, sizeof e);
    e.midi.type = kVstMidiType;
    e.midi.byteSize = sizeof e.midi;
    e.midi.deltaFrames = delta;
    e.midi.midiData[0] = status;
    e.midi.midiData[1] = (unsigned char)note;
    e.midi.midiData[2] = (unsigned char)velocity;
    e.u.list.numEvents = 1;
    e.u.list.events[0] = (VstEvent*)&e.midi;
    effect->dispatcher(effect, effProcessEvents, 0, 0, &e.u.list, 0.0f);
}

// Plays a note from frame 0 for `frames` frames, its note-off at frame
// `off` (none when off == frames, as in render-one), in 512-frame blocks,
// the last one shorter; writes each frame to `out` unless it is NULL.
static int play(AEffect* effect, int note, int velocity, long long off, long long frames, FILE* out) {
    static float buffers[2 * max_channels][block_size];
    float* ins[max_channels];
    float* outs[max_channels];
    for (int c = 0; c < max_channels; ++c) {
        ins[c] = buffers[c];
        outs[c] = buffers[max_channels + c];
    }
    for (long long pos = 0; pos < frames; pos += block_size) {
        const int len = (int)(frames - pos < block_size ? frames - pos : block_size);
        memset(buffers, 0, sizeof buffers);
        if (pos == 0) send_midi(effect, 0x90, note, velocity, 0);
        if (off < frames && off >= pos && off < pos + len) send_midi(effect, 0x80, note, 0, (int)(off - pos));
        effect->processReplacing(effect, ins, outs, len);
        // Two channels as render-one writes them: left, and right (or left again).
        for (int i = 0; out && i < len; ++i) {
            float frame[2] = {outs[0][i], outs[effect->numOutputs > 1 ? 1 : 0][i]};
            if (fwrite(frame, sizeof frame, 1, out) != 1) return -1;
        }
    }
    return 0;
}

int main(int argc, char** argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: minimal-vst2-host PLUGIN NOTE VELOCITY DURATION_S TAIL_S OUTPUT\n");
        return 2;
    }
    const int note = atoi(argv[2]), velocity = atoi(argv[3]);
    const long long off = frames_of(atof(argv[4]));
    const long long frames = off + frames_of(atof(argv[5]));
    const char* warm_up = getenv("VR_WARM_UP");
    int warm_note = 0, warm_velocity = 0;
    double warm_duration = 0, warm_tail = 0;
    if (warm_up && *warm_up &&
        sscanf(warm_up, "%d %d %lf %lf", &warm_note, &warm_velocity, &warm_duration, &warm_tail) != 4)
        return die("VR_WARM_UP is not NOTE VELOCITY DURATION_S TAIL_S", warm_up);

    void* module = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!module) return die("cannot open the plugin", dlerror());
    typedef AEffect* (*main_call)(audioMasterCallback);
    main_call entry = (main_call)dlsym(module, "VSTPluginMain");
    if (!entry) entry = (main_call)dlsym(module, "main");
    if (!entry) return die("no VSTPluginMain or main in", argv[1]);
    AEffect* effect = entry(host_callback);
    if (!effect || effect->magic != kEffectMagic) return die("the plugin did not start", NULL);
    if (effect->numInputs > max_channels || effect->numOutputs > max_channels || effect->numOutputs < 1)
        return die("unexpected channel counts", NULL);

    effect->dispatcher(effect, effOpen, 0, 0, NULL, 0.0f);
    effect->dispatcher(effect, effSetSampleRate, 0, 0, NULL, (float)sample_rate);
    effect->dispatcher(effect, effSetBlockSize, 0, block_size, NULL, 0.0f);
    effect->dispatcher(effect, effMainsChanged, 0, 1, NULL, 0.0f);
    effect->dispatcher(effect, effStartProcess, 0, 0, NULL, 0.0f);

    if (warm_up && *warm_up) {
        const long long warm_off = frames_of(warm_duration);
        play(effect, warm_note, warm_velocity, warm_off, warm_off + frames_of(warm_tail), NULL);
        effect->dispatcher(effect, effMainsChanged, 0, 0, NULL, 0.0f);
        effect->dispatcher(effect, effMainsChanged, 0, 1, NULL, 0.0f);
    }
    FILE* out = fopen(argv[6], "wb");
    if (!out) return die("cannot write", argv[6]);
    int written = play(effect, note, velocity, off, frames, out);
    if (fclose(out) != 0 || written != 0) return die("cannot write", argv[6]);

    effect->dispatcher(effect, effStopProcess, 0, 0, NULL, 0.0f);
    effect->dispatcher(effect, effMainsChanged, 0, 0, NULL, 0.0f);
    effect->dispatcher(effect, effClose, 0, 0, NULL, 0.0f);
    return 0;
}
