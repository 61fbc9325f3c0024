// SPDX-License-Identifier: GPL-3.0-or-later
// over 400 lines: one C file for both systems (README.md: the same plugin,
// built for Linux and for Windows), each system's sources side by side.
// vr-test-seeds: a VST2 instrument in plain C whose every note is seeded
// from one of the libc sources of randomness a plugin might use, so that a
// test hears whether the host pinned that source (README.md beside this).
//
// A note-on of note n, velocity v (1..127) takes a 64-bit value from
// source n - 60 (notes outside 60..76 are silent; Windows: below):
//
//   note source                                   value
//   60   rand()                                   two calls, (a << 32) | b
//   61   random()                                 two calls, likewise
//   62   drand48()                                the bits of the double
//   63   lrand48()                                two calls, likewise
//   64   mrand48()                                two calls, each as uint32
//   65   getrandom(buf, 8, 0)                     the 8 bytes, native order
//   66   getentropy(buf, 8)                       likewise
//   67   time(NULL)                               the seconds
//   68   gettimeofday()                           sec * 1000000 + usec
//   69   clock_gettime(CLOCK_REALTIME)            sec * 1000000000 + nsec
//   70   open("/dev/urandom"), read 8, close      the 8 bytes
//   71   fopen("/dev/urandom"), fread 8, fclose   likewise
//   72   open("/dev/random"), read 8, close       likewise
//   73   arc4random()                             two calls, likewise
//   74   srand((unsigned) time(NULL)), rand()     two rand() calls after it
//   75   the instance's birth value: at creation, srand((unsigned) time(NULL)
//        ^ (unsigned) usec of gettimeofday()), then two rand() calls; every
//        note 75 of that instance uses it
//   76   rand_r(&s), s = (unsigned) time(NULL)    two calls on one s
//
// A source that fails (a file that will not open) gives 0. The srand at
// creation seeds glibc's one state behind rand and random: notes 60 and 61
// follow it (as they follow note 74's).
//
// Built for Windows (mingw, _WIN32), notes 60..82 draw from the C
// runtimes' and Windows' sources instead, each through its DLL: the table
// is in README.md beside this ("Windows").
//
// The voice is white noise from a xorshift64* generator of its own, state
// x = value (x = 0x9e3779b97f4a7c15 when the value is 0); per sample:
//   x ^= x >> 12; x ^= x << 25; x ^= x >> 27; r = x * 0x2545f4914f6cdd1d
//   y = amp * ((double) (r >> 11) * 2^-53 * 2.0 - 1.0)
//   amp = 0.25 * (v / 127.0) * gain, gain the parameter at the note-on.
// The output is the sum of the sounding voices (in double, then float),
// the same on both channels. A note-off (or note-on with velocity 0) ends
// the voice at once; a second note-on restarts it with a new value; CC 120
// and 123 end every voice.
#ifdef _WIN32
#include <windows.h>
#include <bcrypt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wincrypt.h>
#else
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#endif

#include "plain_vst2.h"

#define FIRST_NOTE 60
#ifdef _WIN32
#define SOURCES 23
#else
#define SOURCES 17
#endif

struct voice {
    int on;
    uint64_t x;
    double amp;
};

struct seeds {
    plain_vst2 vst2;  // first: the host's AEffect* is our struct's address
    audioMasterCallback host;
    float gain;
    char program_name[kVstMaxProgNameLen];
    uint64_t birth_value;  // source 15 (16 on Windows)
    struct voice voices[SOURCES];
};

static uint64_t pair(uint32_t hi, uint32_t lo) { return ((uint64_t) hi << 32) | lo; }

static uint64_t bytes_value(const unsigned char* b) {
    uint64_t v;
    memcpy(&v, b, sizeof v);
    return v;
}

#ifdef _WIN32
// Imported under names of our own (seeds_win_*.def), as a plugin built
// against these DLLs imports rand, _time64 and the rest (mingw-w64's own
// rand_s and _time32 are not msvcrt.dll's).
int vr_ucrt_rand(void);                                 // api-ms-win-crt-utility-l1-1-0.dll
long long vr_ucrt_time64(long long* out);               // api-ms-win-crt-time-l1-1-0.dll
int vr_msvcrt_rand_s(unsigned* out);                    // msvcrt.dll
int vr_msvcrt_time32(int* out);                         // msvcrt.dll
void WINAPI vr_sysinfo_precise_time(FILETIME* out);     // api-ms-win-core-sysinfo-l1-2-0.dll
LONG WINAPI vr_delay_bcrypt_random(void*, UCHAR*, ULONG, ULONG);  // bcrypt.dll, delay-loaded
struct vr_timespec64 {
    long long tv_sec;
    long tv_nsec;
};
int vr_ucrt_timespec64_get(struct vr_timespec64* out, int base);  // api-ms-win-crt-time-l1-1-0.dll
long long vr_xtime_get_ticks(void);                                // msvcp140.dll
BOOLEAN WINAPI SystemFunction036(void* out, ULONG n);   // advapi32.dll: RtlGenRandom

typedef int (*rand_fn)(void);
typedef BOOLEAN(WINAPI* gen_random_fn)(void*, ULONG);
typedef LONG(WINAPI* bcrypt_random_fn)(void*, UCHAR*, ULONG, ULONG);

// A function of a DLL by name, as plugins find BCryptGenRandom and friends.
static void* lookup(const char* dll, const char* name) {
    HMODULE m = LoadLibraryA(dll);
    return m ? (void*) GetProcAddress(m, name) : NULL;
}

static uint64_t rand4(rand_fn r) {
    uint64_t v = 0;
    for (int i = 0; r && i < 4; ++i) v = (v << 16) | (uint16_t) r();
    return v;
}

static uint64_t filetime_value(FILETIME t) { return ((uint64_t) t.dwHighDateTime << 32) | t.dwLowDateTime; }

static uint64_t systemtime_value(void(WINAPI* get)(SYSTEMTIME*)) {
    SYSTEMTIME st;
    FILETIME t;
    get(&st);
    return SystemTimeToFileTime(&st, &t) ? filetime_value(t) : 0;
}

static uint64_t gen_random(gen_random_fn f) {
    unsigned char b[8] = {0};
    return f && f(b, sizeof b) ? bytes_value(b) : 0;
}

static uint64_t bcrypt_random(bcrypt_random_fn f) {
    unsigned char b[8] = {0};
    return f && f(NULL, b, sizeof b, BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0 ? bytes_value(b) : 0;
}

static uint64_t crypt_random(void) {
    unsigned char b[8] = {0};
    HCRYPTPROV p;
    if (!CryptAcquireContextW(&p, NULL, NULL, PROV_RSA_FULL, CRYPT_VERIFYCONTEXT)) return 0;
    BOOL ok = CryptGenRandom(p, sizeof b, b);
    CryptReleaseContext(p, 0);
    return ok ? bytes_value(b) : 0;
}

// Source 20: what a DLL that seeds as it loads (a C++ static constructor,
// DllMain) would hold. Drawn before the loader returns to the host, so it
// is pinned only when the plugin's imports are rewritten before its entry
// point runs.
static uint64_t g_load_value;

BOOL WINAPI DllMain(HINSTANCE self, DWORD reason, LPVOID reserved);
BOOL WINAPI DllMain(HINSTANCE self, DWORD reason, LPVOID reserved) {
    (void) self;
    (void) reserved;
    if (reason == DLL_PROCESS_ATTACH) {
        FILETIME t;
        GetSystemTimeAsFileTime(&t);
        g_load_value = filetime_value(t) ^ rand4(rand);
    }
    return TRUE;
}

static uint64_t draw(const struct seeds* s, int source) {
    FILETIME t;
    switch (source) {
        case 0: return rand4(rand);
        case 1: return rand4(vr_ucrt_rand);
        case 2: return rand4((rand_fn) lookup("ucrtbase.dll", "rand"));
        case 3: srand((unsigned) time(NULL)); return rand4(rand);
        case 4: {
            unsigned a = 0, b = 0;
            if (vr_msvcrt_rand_s(&a) != 0 || vr_msvcrt_rand_s(&b) != 0) return 0;
            return pair(a, b);
        }
        case 5: return gen_random(SystemFunction036);
        case 6: return gen_random((gen_random_fn) lookup("advapi32.dll", "SystemFunction036"));
        case 7: return bcrypt_random((bcrypt_random_fn) BCryptGenRandom);
        case 8: return bcrypt_random((bcrypt_random_fn) lookup("bcrypt.dll", "BCryptGenRandom"));
        case 9: return crypt_random();
        case 10: GetSystemTimeAsFileTime(&t); return filetime_value(t);
        case 11: GetSystemTimePreciseAsFileTime(&t); return filetime_value(t);
        case 12: return systemtime_value(GetLocalTime);
        case 13: return systemtime_value(GetSystemTime);
        case 14: return (uint64_t) time(NULL);
        case 15: return (uint64_t) (uint32_t) vr_msvcrt_time32(NULL);
        case 16: return s->birth_value;
        case 17: return (uint64_t) vr_ucrt_time64(NULL);
        case 18: vr_sysinfo_precise_time(&t); return filetime_value(t);
        case 19: return bcrypt_random(vr_delay_bcrypt_random);
        case 20: return g_load_value;
        case 21: {
            struct vr_timespec64 ts;
            if (vr_ucrt_timespec64_get(&ts, 1) != 1) return 0;  // TIME_UTC
            return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
        }
        case 22: return (uint64_t) vr_xtime_get_ticks();
    }
    return 0;
}

// What a plugin that seeds once, when it is made, would hold.
static uint64_t birth_value(void) {
    FILETIME t;
    GetSystemTimeAsFileTime(&t);
    srand((unsigned) time(NULL) ^ (unsigned) t.dwLowDateTime);
    return rand4(rand);
}
#else
static uint64_t read_fd(const char* path) {
    unsigned char b[8] = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0) return 0;
    ssize_t n = read(fd, b, sizeof b);
    close(fd);
    return n == (ssize_t) sizeof b ? bytes_value(b) : 0;
}

static uint64_t read_stdio(const char* path) {
    unsigned char b[8] = {0};
    FILE* f = fopen(path, "rb");
    if (!f) return 0;
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    return n == sizeof b ? bytes_value(b) : 0;
}

static uint64_t draw(const struct seeds* s, int source) {
    unsigned char b[8] = {0};
    switch (source) {
        case 0: { uint32_t a = (uint32_t) rand(); return pair(a, (uint32_t) rand()); }
        case 1: { uint32_t a = (uint32_t) random(); return pair(a, (uint32_t) random()); }
        case 2: { double d = drand48(); uint64_t v; memcpy(&v, &d, sizeof v); return v; }
        case 3: { uint32_t a = (uint32_t) lrand48(); return pair(a, (uint32_t) lrand48()); }
        case 4: { uint32_t a = (uint32_t) mrand48(); return pair(a, (uint32_t) mrand48()); }
        case 5: return getrandom(b, sizeof b, 0) == (ssize_t) sizeof b ? bytes_value(b) : 0;
        case 6: return getentropy(b, sizeof b) == 0 ? bytes_value(b) : 0;
        case 7: return (uint64_t) time(NULL);
        case 8: {
            struct timeval tv;
            gettimeofday(&tv, NULL);
            return (uint64_t) tv.tv_sec * 1000000u + (uint64_t) tv.tv_usec;
        }
        case 9: {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
        }
        case 10: return read_fd("/dev/urandom");
        case 11: return read_stdio("/dev/urandom");
        case 12: return read_fd("/dev/random");
        case 13: { uint32_t a = arc4random(); return pair(a, arc4random()); }
        case 14: {
            srand((unsigned) time(NULL));
            uint32_t a = (uint32_t) rand();
            return pair(a, (uint32_t) rand());
        }
        case 15: return s->birth_value;
        case 16: {
            unsigned seed = (unsigned) time(NULL);
            uint32_t a = (uint32_t) rand_r(&seed);
            return pair(a, (uint32_t) rand_r(&seed));
        }
    }
    return 0;
}

// What a plugin that seeds once, when it is made, would hold.
static uint64_t birth_value(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    srand((unsigned) time(NULL) ^ (unsigned) tv.tv_usec);
    uint32_t a = (uint32_t) rand();
    return pair(a, (uint32_t) rand());
}
#endif

static double noise(struct voice* v) {
    v->x ^= v->x >> 12;
    v->x ^= v->x << 25;
    v->x ^= v->x >> 27;
    uint64_t r = v->x * UINT64_C(0x2545f4914f6cdd1d);
    return (double) (r >> 11) * (1.0 / 9007199254740992.0) * 2.0 - 1.0;
}

static void note_on(struct seeds* s, int note, int velocity) {
    int source = note - FIRST_NOTE;
    if (source < 0 || source >= SOURCES) return;
    struct voice* v = &s->voices[source];
    uint64_t value = draw(s, source);
    v->x = value ? value : UINT64_C(0x9e3779b97f4a7c15);
    v->amp = 0.25 * (velocity / 127.0) * (double) s->gain;
    v->on = 1;
}

static void note_off(struct seeds* s, int note) {
    int source = note - FIRST_NOTE;
    if (source >= 0 && source < SOURCES) s->voices[source].on = 0;
}

static void handle_midi(plain_vst2* p, const unsigned char* m) {
    struct seeds* s = (struct seeds*) p;
    int kind = m[0] & 0xf0;
    if (kind == 0x90 && m[2] > 0)
        note_on(s, m[1] & 0x7f, m[2] & 0x7f);
    else if (kind == 0x80 || kind == 0x90)
        note_off(s, m[1] & 0x7f);
    else if (kind == 0xb0 && (m[1] == 120 || m[1] == 123))
        for (int i = 0; i < SOURCES; ++i) s->voices[i].on = 0;
}

static void render(plain_vst2* p, float** out, int from, int to, int add) {
    struct seeds* s = (struct seeds*) p;
    for (int t = from; t < to; ++t) {
        double y = 0.0;
        for (int i = 0; i < SOURCES; ++i)
            if (s->voices[i].on) y += s->voices[i].amp * noise(&s->voices[i]);
        for (int c = 0; c < 2; ++c) out[c][t] = add ? out[c][t] + (float) y : (float) y;
    }
}

static void silence(plain_vst2* p) {
    struct seeds* s = (struct seeds*) p;
    for (int i = 0; i < SOURCES; ++i) s->voices[i].on = 0;
}

static void destroy(plain_vst2* p) { free(p); }

static void set_parameter(AEffect* e, int index, float value) {
    if (index != 0) return;
    ((struct seeds*) e)->gain = value < 0.0f ? 0.0f : value > 1.0f ? 1.0f : value;
}

static float get_parameter(AEffect* e, int index) { return index == 0 ? ((struct seeds*) e)->gain : 0.0f; }

// The program's name and the parameter; plain_vst2 the rest.
static VstIntPtr dispatch(AEffect* e, int opcode, int index, VstIntPtr value, void* ptr, float opt) {
    struct seeds* s = (struct seeds*) e;
    switch (opcode) {
        case effSetProgramName:
            plain_vst2_put_text(s->program_name, sizeof s->program_name, ptr ? (const char*) ptr : "");
            return 0;
        case effGetProgramName: plain_vst2_put_text(ptr, kVstMaxProgNameLen, s->program_name); return 0;
        case effGetProgramNameIndexed:
            if (index != 0) return 0;
            plain_vst2_put_text(ptr, kVstMaxProgNameLen, s->program_name);
            return 1;
        case effGetParamName: plain_vst2_put_text(ptr, kVstMaxParamStrLen, index == 0 ? "gain" : ""); return 0;
        case effGetParamLabel: plain_vst2_put_text(ptr, kVstMaxParamStrLen, ""); return 0;
        case effGetParamDisplay: {
            char text[16];
            snprintf(text, sizeof text, "%.3f", index == 0 ? (double) s->gain : 0.0);
            plain_vst2_put_text(ptr, kVstMaxParamStrLen, text);
            return 0;
        }
        case effCanBeAutomated: return index == 0;
        case effString2Parameter:
            if (index != 0) return 0;
            if (ptr) set_parameter(e, 0, strtof((const char*) ptr, NULL));
            return 1;
        default: return plain_vst2_dispatch(e, opcode, index, value, ptr, opt);
    }
}

static const plain_vst2_info info = {
    .name = "vr-test-seeds",
    .product = "vr-test-seeds",
    .vendor = "vst-render",
    .unique_id = CCONST('V', 'r', 'S', 'd'),
    .midi = handle_midi,
    .render = render,
    .silence = silence,
    .close = destroy,
};

AEffect* VSTPluginMain(audioMasterCallback host) {
    struct seeds* s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->host = host;
    s->gain = 1.0f;
    plain_vst2_put_text(s->program_name, sizeof s->program_name, "Init");
    s->birth_value = birth_value();

    AEffect* e = plain_vst2_init(&s->vst2, &info);
    e->dispatcher = dispatch;
    e->setParameter = set_parameter;
    e->getParameter = get_parameter;
    e->numParams = 1;
    return e;
}
