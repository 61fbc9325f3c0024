// SPDX-License-Identifier: GPL-3.0-or-later
// A VST2 plugin that is another one, with every call written down: the
// proxy loads the plugin named by VR_PROXY_PLUGIN, forwards each call from
// the host (dispatcher, setParameter, getParameter, processReplacing) and
// from the plugin (the host callback), and logs it to VR_PROXY_LOG (stderr
// without it), one line each, with the MXCSR the call ran under. How
// render-one's calls were told from a minimal host's (tests/minimal-host.bats).
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xmmintrin.h>

// Debian fst-dev's VST2 names, as the test synth sees them.
#include <pluginterfaces/vst2.x/aeffectx.h>

// A proxy effect is the host's view; real is the plugin's own.
struct proxy {
    AEffect effect;  // first: the host's AEffect* is a proxy*
    AEffect* real;
    audioMasterCallback host;
};

static FILE* log_file;
static struct proxy* current;  // the instance being created (the plugin calls back before it is known)
enum { max_proxies = 16 };
static struct proxy* proxies[max_proxies];

static void say(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfprintf(log_file ? log_file : stderr, fmt, ap);
    va_end(ap);
    fflush(log_file ? log_file : stderr);
}

static struct proxy* proxy_of_real(AEffect* real) {
    for (int i = 0; i < max_proxies; ++i)
        if (proxies[i] && proxies[i]->real == real) return proxies[i];
    return current;
}

// The fields a plugin may change while it runs, shown to the host.
static void sync(struct proxy* p) {
    p->effect.numPrograms = p->real->numPrograms;
    p->effect.numParams = p->real->numParams;
    p->effect.numInputs = p->real->numInputs;
    p->effect.numOutputs = p->real->numOutputs;
    p->effect.flags = p->real->flags;
    p->effect.initialDelay = p->real->initialDelay;
    p->effect.uniqueID = p->real->uniqueID;
    p->effect.version = p->real->version;
}

static VstIntPtr from_plugin(AEffect* real, int opcode, int index, VstIntPtr value, void* ptr, float opt) {
    struct proxy* p = proxy_of_real(real);
    VstIntPtr r = p && p->host ? p->host(p ? &p->effect : real, opcode, index, value, ptr, opt) : 0;
    say("host op=%d index=%d value=%ld ptr=%p opt=%.9g -> %ld", opcode, index, (long)value, ptr, opt, (long)r);
    if (opcode == audioMasterCanDo && ptr) say(" canDo=%s", (const char*)ptr);
    if (opcode == audioMasterGetTime && r) {
        const VstTimeInfo* t = (const VstTimeInfo*)r;
        say(" samplePos=%.17g rate=%.17g tempo=%.17g flags=0x%x", t->samplePos, t->sampleRate, t->tempo, t->flags);
    }
    say("\n");
    return r;
}

static VstIntPtr to_plugin(AEffect* e, int opcode, int index, VstIntPtr value, void* ptr, float opt) {
    struct proxy* p = (struct proxy*)e;
    say("dispatch op=%d index=%d value=%ld ptr=%s opt=%.9g mxcsr=0x%x", opcode, index, (long)value,
        ptr ? "set" : "null", opt, _mm_getcsr());
    if (opcode == effProcessEvents && ptr) {
        const VstEvents* ev = ptr;
        for (int i = 0; i < ev->numEvents; ++i) {
            const VstMidiEvent* m = (const VstMidiEvent*)ev->events[i];
            say(" [type=%d size=%d delta=%d flags=%d len=%d off=%d detune=%d offvel=%d midi=%02x %02x %02x %02x]",
                m->type, m->byteSize, m->deltaFrames, m->flags, m->noteLength, m->noteOffset, m->detune,
                m->noteOffVelocity, m->midiData[0], m->midiData[1], m->midiData[2], m->midiData[3]);
        }
    }
    if ((opcode == effCanDo || opcode == effSetProgramName) && ptr) say(" str=%s", (const char*)ptr);
    VstIntPtr r = p->real->dispatcher(p->real, opcode, index, value, ptr, opt);
    say(" -> %ld", (long)r);
    if ((opcode == effGetProgramName || opcode == effGetParamName || opcode == effGetParamDisplay ||
         opcode == effGetProgramNameIndexed || opcode == effGetEffectName) && ptr)
        say(" str=%s", (const char*)ptr);
    say("\n");
    sync(p);
    if (opcode == effClose) {
        for (int i = 0; i < max_proxies; ++i)
            if (proxies[i] == p) proxies[i] = NULL;
        free(p);
    }
    return r;
}

static unsigned bits_of(float f) {
    unsigned u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static void set_parameter(AEffect* e, int index, float value) {
    struct proxy* p = (struct proxy*)e;
    say("setParameter index=%d value=%.9g (bits 0x%08x)\n", index, value, bits_of(value));
    p->real->setParameter(p->real, index, value);
}

static float get_parameter(AEffect* e, int index) {
    struct proxy* p = (struct proxy*)e;
    float v = p->real->getParameter(p->real, index);
    say("getParameter index=%d -> %.9g (bits 0x%08x)\n", index, v, bits_of(v));
    return v;
}

static void process_replacing(AEffect* e, float** in, float** out, int frames) {
    struct proxy* p = (struct proxy*)e;
    say("processReplacing frames=%d in=%p out=%p in0=%p out0=%p mxcsr=0x%x\n", frames, (void*)in, (void*)out,
        in ? (void*)in[0] : NULL, out ? (void*)out[0] : NULL, _mm_getcsr());
    p->real->processReplacing(p->real, in, out, frames);
}

static void process(AEffect* e, float** in, float** out, int frames) {
    struct proxy* p = (struct proxy*)e;
    say("process (accumulating) frames=%d\n", frames);
    p->real->process(p->real, in, out, frames);
}

static void process_double(AEffect* e, double** in, double** out, int frames) {
    struct proxy* p = (struct proxy*)e;
    say("processDoubleReplacing frames=%d\n", frames);
    p->real->processDoubleReplacing(p->real, in, out, frames);
}

__attribute__((visibility("default"))) AEffect* VSTPluginMain(audioMasterCallback host) {
    const char* path = getenv("VR_PROXY_PLUGIN");
    const char* log_path = getenv("VR_PROXY_LOG");
    if (!log_file && log_path) log_file = fopen(log_path, "a");
    if (!path) {
        say("proxy: VR_PROXY_PLUGIN is not set\n");
        return NULL;
    }
    void* module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    typedef AEffect* (*main_call)(audioMasterCallback);
    main_call entry = module ? (main_call)dlsym(module, "VSTPluginMain") : NULL;
    if (!entry && module) entry = (main_call)dlsym(module, "main");
    if (!entry) {
        say("proxy: cannot load %s: %s\n", path, dlerror());
        return NULL;
    }
    struct proxy* p = calloc(1, sizeof *p);
    p->host = host;
    current = p;
    say("VSTPluginMain %s mxcsr=0x%x\n", path, _mm_getcsr());
    p->real = entry(from_plugin);
    current = NULL;
    if (!p->real) {
        free(p);
        return NULL;
    }
    for (int i = 0; i < max_proxies; ++i)
        if (!proxies[i]) {
            proxies[i] = p;
            break;
        }
    p->effect = *p->real;
    p->effect.dispatcher = to_plugin;
    p->effect.setParameter = set_parameter;
    p->effect.getParameter = get_parameter;
    p->effect.process = p->real->process ? process : NULL;
    p->effect.processReplacing = p->real->processReplacing ? process_replacing : NULL;
    p->effect.processDoubleReplacing = p->real->processDoubleReplacing ? process_double : NULL;
    say("effect numPrograms=%d numParams=%d ins=%d outs=%d flags=0x%lx uid=0x%x\n", p->real->numPrograms,
        p->real->numParams, p->real->numInputs, p->real->numOutputs, (long)p->real->flags, p->real->uniqueID);
    return &p->effect;
}
