// SPDX-License-Identifier: GPL-3.0-or-later
// A Windows VST2 instrument in plain C (no JUCE), built several ways by
// windows.mk beside this, each a DLL exporting VSTPluginMain and main:
//
//   VR_FAULT=0  plays, nothing else (win32.dll, the i686 build; and
//               needs-msvc.dll and needs-mfc.dll, linked with needs_msvc.c)
//   VR_FAULT=1  crash.dll: a note-on of pitch >= 100 raises an access
//               violation (a write through a null pointer) in
//               processReplacing, when the event's sample comes
//   VR_FAULT=2  hang.dll: a note-on of pitch >= 100 never returns from
//               processReplacing (sleeps forever in 100 ms steps)
//
//   VR_WRITES_PREFIX=1  writes-prefix.dll: as it is opened, writes the file
//               C:\vr-writes-prefix.txt and the registry value
//               HKCU\Software\vst-render\writes-prefix, reads the value
//               back, and says what it got in two parameters, file_written
//               and registry_kept (1 or 0; text "yes" or "no")
//   VR_NEEDS_WINDOW=1   needs-window.dll: as it is opened, creates an
//               ordinary top-level window (WS_OVERLAPPEDWINDOW, no parent),
//               as a plugin with a splash screen or a licence dialogue
//               does; when wine cannot make one (no X display) it refuses
//               to load (its entry point returns NULL)
// With VR_WIN_FAULT_AT_LOAD set in the environment, crash.dll and hang.dll
// fault in VSTPluginMain instead, as a host loads them (plugin-scan's test).
//
// Every other note sounds, so a batch can hold good jobs and a bad one:
// y = 0.25 * (v / 127) * sin(2 pi f k / sr), f = 440 * 2^((n - 69) / 12),
// k counted in samples from the note-on (0 at the note-on itself), one
// voice (the last note), ended at once by its note-off, CC 120 or CC 123.
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "pluginterfaces/vst2.x/aeffectx.h"

#ifndef VR_FAULT
#define VR_FAULT 0
#endif
#ifndef VR_PLUGIN_NAME
#define VR_PLUGIN_NAME "vr-win-vst2"
#endif
#ifndef VR_UNIQUE_ID
#define VR_UNIQUE_ID CCONST('V', 'r', 'W', '0')
#endif

#ifndef VR_WRITES_PREFIX
#define VR_WRITES_PREFIX 0
#endif
#ifndef VR_NEEDS_WINDOW
#define VR_NEEDS_WINDOW 0
#endif

#define FAULT_PITCH 100
#define MAX_EVENTS 512

struct pending {
    int delta;
    unsigned char midi[3];
};

struct instrument {
    AEffect effect;  // first: the host's AEffect* is our struct's address
    float rate;
    int on, note;
    double amp, step;
    int64_t k;
    struct pending events[MAX_EVENTS];
    int event_count;
    float written[2];  // VR_WRITES_PREFIX: file_written, registry_kept
    HWND window;       // VR_NEEDS_WINDOW
};

#if VR_FAULT == 1
static void fault(void) {
    // Volatile twice, or the compiler may drop the store or make it a trap
    // (an illegal instruction, not the access violation wanted here).
    volatile int* volatile target = NULL;
    *target = 42;
}
#elif VR_FAULT == 2
static void fault(void) {
    // Sleeping, not spinning: the machine's cores are shared, and a host
    // must catch a silent plugin as surely as a busy one.
    for (;;)
        Sleep(100);
}
#else
static void fault(void) {}
#endif

#if VR_NEEDS_MSVC
void vr_touch_msvc_runtime(void);  // needs_msvc.c
#endif

static void note_on(struct instrument* s, int note, int velocity) {
    if (note >= FAULT_PITCH)
        fault();
    s->on = 1;
    s->note = note;
    s->k = 0;
    s->amp = 0.25 * (velocity / 127.0);
    s->step = 2.0 * 3.141592653589793 * 440.0 * pow(2.0, (note - 69) / 12.0) / (double) s->rate;
}

static void handle_midi(struct instrument* s, const unsigned char* m) {
    int kind = m[0] & 0xf0;
    if (kind == 0x90 && m[2] > 0)
        note_on(s, m[1] & 0x7f, m[2] & 0x7f);
    else if ((kind == 0x80 || kind == 0x90) && (m[1] & 0x7f) == s->note)
        s->on = 0;
    else if (kind == 0xb0 && (m[1] == 120 || m[1] == 123))
        s->on = 0;
}

static void render(struct instrument* s, float** out, int from, int to) {
    for (int i = from; i < to; ++i) {
        float y = s->on ? (float) (s->amp * sin(s->step * (double) s->k++)) : 0.0f;
        out[0][i] = out[1][i] = y;
    }
}

static void process_replacing(AEffect* e, float** in, float** out, int frames) {
    (void) in;
    struct instrument* s = (struct instrument*) e;
    int at = 0;
    for (int i = 0; i < s->event_count; ++i) {
        int when = s->events[i].delta < at ? at : s->events[i].delta > frames ? frames : s->events[i].delta;
        render(s, out, at, when);
        at = when;
        handle_midi(s, s->events[i].midi);
    }
    render(s, out, at, frames);
    s->event_count = 0;
}

static void queue_events(struct instrument* s, const VstEvents* list) {
    for (int i = 0; i < list->numEvents; ++i) {
        const VstEvent* ev = list->events[i];
        if (!ev || ev->type != kVstMidiType || s->event_count == MAX_EVENTS) continue;
        const VstMidiEvent* m = (const VstMidiEvent*) ev;
        struct pending* p = &s->events[s->event_count++];
        p->delta = m->deltaFrames > 0 ? m->deltaFrames : 0;
        memcpy(p->midi, m->midiData, sizeof p->midi);
    }
}

#if VR_WRITES_PREFIX
// Writes into the prefix as a plugin saving its licence or settings would,
// and keeps what it got: whether the file could be written, whether the
// registry value could be set and read back.
static void write_prefix(struct instrument* s) {
    static const char text[] = "written by vr-win-writes-prefix\r\n";
    HANDLE f = CreateFileA("C:\\vr-writes-prefix.txt", GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    if (f != INVALID_HANDLE_VALUE) {
        DWORD n = 0;
        s->written[0] = WriteFile(f, text, sizeof text - 1, &n, NULL) && n == sizeof text - 1;
        CloseHandle(f);
    }
    HKEY key;
    if (RegCreateKeyExA(HKEY_CURRENT_USER, "Software\\vst-render", 0, NULL, 0, KEY_ALL_ACCESS, NULL, &key, NULL) ==
        ERROR_SUCCESS) {
        DWORD value = 0x7672, back = 0, size = sizeof back;
        if (RegSetValueExA(key, "writes-prefix", 0, REG_DWORD, (const BYTE*) &value, sizeof value) == ERROR_SUCCESS &&
            RegQueryValueExA(key, "writes-prefix", NULL, NULL, (BYTE*) &back, &size) == ERROR_SUCCESS)
            s->written[1] = back == value;
        RegCloseKey(key);
    }
}
#define PARAM_COUNT 2
// Longer than VST 2.4's 8 characters: hosts give 24 or more (JUCE 256).
static const char* const param_names[PARAM_COUNT] = {"file_written", "registry_kept"};
#else
#define PARAM_COUNT 0
#endif

#if VR_NEEDS_WINDOW
// An ordinary top-level window, as a splash screen or a licence dialogue
// is: wine makes one only with a display (HWND_MESSAGE windows need none).
static HWND open_window(void) {
    HINSTANCE self = GetModuleHandleA(NULL);
    WNDCLASSA wc;
    memset(&wc, 0, sizeof wc);
    wc.lpfnWndProc = DefWindowProcA;
    wc.hInstance = self;
    wc.lpszClassName = "vr-needs-window";
    RegisterClassA(&wc);  // a second instance finds it registered: fine
    return CreateWindowExA(0, wc.lpszClassName, "vr-needs-window", WS_OVERLAPPEDWINDOW, CW_USEDEFAULT, CW_USEDEFAULT,
                           320, 200, NULL, NULL, self, NULL);
}
#endif

static void put_text(void* dst, size_t size, const char* text) {
    if (!dst || size == 0) return;
    size_t n = strlen(text);
    if (n >= size) n = size - 1;
    memcpy(dst, text, n);
    ((char*) dst)[n] = '\0';
}

static VstIntPtr dispatch(AEffect* e, int opcode, int index, VstIntPtr value, void* ptr, float opt) {
    struct instrument* s = (struct instrument*) e;
    (void) value;
    switch (opcode) {
        case effClose:
#if VR_NEEDS_WINDOW
            if (s->window) DestroyWindow(s->window);
#endif
            free(s);
            return 1;
        case effSetSampleRate: s->rate = opt > 0 ? opt : 48000.0f; return 0;
        case effGetProgramName: put_text(ptr, kVstMaxProgNameLen, "Init"); return 0;
        case effGetProgramNameIndexed: put_text(ptr, kVstMaxProgNameLen, "Init"); return index == 0;
        case effMainsChanged:
            s->on = 0;
            s->event_count = 0;
            return 0;
        case effProcessEvents:
            if (ptr) queue_events(s, (const VstEvents*) ptr);
            return 1;
        case effGetPlugCategory: return kPlugCategSynth;
        case effGetEffectName: put_text(ptr, kVstMaxLabelLen, VR_PLUGIN_NAME); return 1;
        case effGetVendorString: put_text(ptr, kVstMaxLabelLen, "vst-render"); return 1;
        case effGetProductString: put_text(ptr, kVstMaxLabelLen, VR_PLUGIN_NAME); return 1;
        case effGetVendorVersion: return 1;
        case effGetVstVersion: return kVstVersion;
        case effCanDo:
            return ptr && (strcmp((const char*) ptr, "receiveVstEvents") == 0 ||
                           strcmp((const char*) ptr, "receiveVstMidiEvent") == 0);
        case effGetCurrentMidiProgram: return -1;
#if PARAM_COUNT
        case effGetParamName:
            if (index >= 0 && index < PARAM_COUNT) put_text(ptr, 24, param_names[index]);
            return 0;
        case effGetParamDisplay:
            if (index >= 0 && index < PARAM_COUNT) put_text(ptr, 24, s->written[index] ? "yes" : "no");
            return 0;
#endif
#if VR_NEEDS_MSVC
        // Never asked for: it only keeps the imports of needs_msvc.c.
        case effVendorSpecific:
            if (index == 0x7672 && value == 0x7672) vr_touch_msvc_runtime();
            return 0;
#endif
        default: return 0;
    }
}

static void set_parameter(AEffect* e, int index, float v) {
    (void) e;
    (void) index;
    (void) v;
}

static float get_parameter(AEffect* e, int index) {
#if PARAM_COUNT
    const struct instrument* s = (const struct instrument*) e;
    return index >= 0 && index < PARAM_COUNT ? s->written[index] : 0.0f;
#else
    (void) e;
    (void) index;
    return 0.0f;
#endif
}

// Exported as VSTPluginMain and main by exports.def.
AEffect* VSTPluginMain(audioMasterCallback host);

AEffect* VSTPluginMain(audioMasterCallback host) {
    (void) host;
    if (getenv("VR_WIN_FAULT_AT_LOAD"))
        fault();
    struct instrument* s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->rate = 48000.0f;
#if VR_NEEDS_WINDOW
    s->window = open_window();
    if (!s->window) {  // no display: this plugin cannot work, and says so by not loading
        free(s);
        return NULL;
    }
#endif
#if VR_WRITES_PREFIX
    write_prefix(s);
#endif
    AEffect* e = &s->effect;
    e->magic = kEffectMagic;
    e->dispatcher = dispatch;
    e->process = process_replacing;  // not VST 1's adding call: no host here uses it
    e->setParameter = set_parameter;
    e->getParameter = get_parameter;
    e->numPrograms = 1;
    e->numParams = PARAM_COUNT;
    e->numInputs = 0;
    e->numOutputs = 2;
    e->flags = effFlagsIsSynth | effFlagsCanReplacing;
    e->object = s;
    e->uniqueID = VR_UNIQUE_ID;
    e->version = 1;
    e->processReplacing = process_replacing;
    return e;
}
