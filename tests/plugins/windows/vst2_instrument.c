// SPDX-License-Identifier: GPL-3.0-or-later
// A Windows VST2 instrument in plain C on plain_vst2.h (no JUCE), built
// several ways by windows.mk beside this, each a DLL exporting
// VSTPluginMain and main:
//
//   VR_FAULT=0  plays, nothing else (win32.dll, the i686 build; and
//               needs-msvc.dll and needs-mfc.dll, linked with needs_msvc.c)
//   VR_FAULT=1  crash.dll: a note-on of pitch >= 100 raises an access
//               violation (a write through a null pointer) in
//               processReplacing, when the event's sample comes; with
//               VR_WIN_CRASH_ONCE naming a file (a Windows path), only
//               where that file is not there yet, which it makes first
//   VR_FAULT=2  hang.dll: a note-on of pitch >= 100 never returns from
//               processReplacing (sleeps forever in 100 ms steps), first
//               making the file VR_WIN_HANG_MARK names (a Windows path,
//               Z:/tmp/... under wine), when it is set
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
// With VR_WIN_PRINT set in the environment, every build writes a line to
// the process's standard output at each note-on, through printf and
// through WriteFile on its handle.
// With VR_WIN_FAULT_AT_LOAD set in the environment, crash.dll and hang.dll
// fault in VSTPluginMain instead, as a host loads them (plugin-scan's test).
//
// Every other note sounds, so a batch can hold good jobs and a bad one:
// y = 0.25 * (v / 127) * sin(2 pi f k / sr), f = 440 * 2^((n - 69) / 12),
// k counted in samples from the note-on (0 at the note-on itself), one
// voice (the last note), ended at once by its note-off, CC 120 or CC 123.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "plain_vst2.h"

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

struct instrument {
    plain_vst2 vst2;  // first: the host's AEffect* is our struct's address
    float rate;
    int on, note;
    double amp, step;
    int64_t k;
    float written[2];  // VR_WRITES_PREFIX: file_written, registry_kept
    HWND window;       // VR_NEEDS_WINDOW
};

#if VR_FAULT == 1
static void fault(void) {
    // A flaky plugin: with VR_WIN_CRASH_ONCE naming a file, the fault
    // makes it and crashes only where it was not there yet.
    const char* once = getenv("VR_WIN_CRASH_ONCE");
    if (once) {
        HANDLE f = CreateFileA(once, GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
        if (f == INVALID_HANDLE_VALUE) return;
        CloseHandle(f);
    }
    // Volatile twice, or the compiler may drop the store or make it a trap
    // (an illegal instruction, not the access violation wanted here).
    volatile int* volatile target = NULL;
    *target = 42;
}
#elif VR_FAULT == 2
static void fault(void) {
    // The test's event: the file VR_WIN_HANG_MARK names, made as the hang
    // begins.
    const char* mark = getenv("VR_WIN_HANG_MARK");
    if (mark) {
        HANDLE f = CreateFileA(mark, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
        if (f != INVALID_HANDLE_VALUE) CloseHandle(f);
    }
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
    if (getenv("VR_WIN_PRINT")) {
        // Noise on the process's standard output, as chatty plugins make
        // it: through the C runtime and through the handle.
        static const char said[] = "vr-win-vst2: note on\n";
        DWORD written = 0;
        printf("vr-win-vst2: note %d\n", note);
        fflush(stdout);
        WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), said, sizeof said - 1, &written, NULL);
    }
    s->on = 1;
    s->note = note;
    s->k = 0;
    s->amp = 0.25 * (velocity / 127.0);
    s->step = 2.0 * 3.141592653589793 * 440.0 * pow(2.0, (note - 69) / 12.0) / (double) s->rate;
}

// Called by plain_vst2_play at the event's frame, inside processReplacing:
// that is where crash.dll and hang.dll fault.
static void midi(plain_vst2* p, const unsigned char* m) {
    struct instrument* s = (struct instrument*) p;
    int kind = m[0] & 0xf0;
    if (kind == 0x90 && m[2] > 0)
        note_on(s, m[1] & 0x7f, m[2] & 0x7f);
    else if ((kind == 0x80 || kind == 0x90) && (m[1] & 0x7f) == s->note)
        s->on = 0;
    else if (kind == 0xb0 && (m[1] == 120 || m[1] == 123))
        s->on = 0;
}

// Replaces what the outputs hold, add or not (no VST 1 adding call).
static void render(plain_vst2* p, float** out, int from, int to, int add) {
    struct instrument* s = (struct instrument*) p;
    (void) add;
    for (int i = from; i < to; ++i) {
        float y = s->on ? (float) (s->amp * sin(s->step * (double) s->k++)) : 0.0f;
        out[0][i] = out[1][i] = y;
    }
}

static void silence(plain_vst2* p) { ((struct instrument*) p)->on = 0; }

static void destroy(plain_vst2* p) {
    struct instrument* s = (struct instrument*) p;
#if VR_NEEDS_WINDOW
    if (s->window) DestroyWindow(s->window);
#endif
    free(s);
}

static const plain_vst2_info info = {
    .name = VR_PLUGIN_NAME,
    .product = VR_PLUGIN_NAME,
    .vendor = "vst-render",
    .unique_id = VR_UNIQUE_ID,
    .midi = midi,
    .render = render,
    .silence = silence,
    .close = destroy,
};

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

static float get_parameter(AEffect* e, int index) {
    const struct instrument* s = (const struct instrument*) e;
    return index >= 0 && index < PARAM_COUNT ? s->written[index] : 0.0f;
}
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

// The sample rate, writes-prefix's parameters and needs-msvc's vendor
// opcode; plain_vst2 the rest.
static VstIntPtr dispatch(AEffect* e, int opcode, int index, VstIntPtr value, void* ptr, float opt) {
    struct instrument* s = (struct instrument*) e;
    switch (opcode) {
        case effSetSampleRate: s->rate = opt > 0 ? opt : 48000.0f; return 0;
#if PARAM_COUNT
        case effGetParamName:
            if (index >= 0 && index < PARAM_COUNT) plain_vst2_put_text(ptr, 24, param_names[index]);
            return 0;
        case effGetParamDisplay:
            if (index >= 0 && index < PARAM_COUNT) plain_vst2_put_text(ptr, 24, s->written[index] ? "yes" : "no");
            return 0;
#endif
#if VR_NEEDS_MSVC
        // Never asked for: it only keeps the imports of needs_msvc.c.
        case effVendorSpecific:
            if (index == 0x7672 && value == 0x7672) vr_touch_msvc_runtime();
            return 0;
#endif
        default: return plain_vst2_dispatch(e, opcode, index, value, ptr, opt);
    }
}

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
    AEffect* e = plain_vst2_init(&s->vst2, &info);
    e->dispatcher = dispatch;
    e->process = e->processReplacing = plain_vst2_process_replacing;
#if PARAM_COUNT
    e->getParameter = get_parameter;
    e->numParams = PARAM_COUNT;
#endif
    return e;
}
