// SPDX-License-Identifier: GPL-3.0-or-later
// vr-test-dx7: a VST2 instrument in plain C++ (no JUCE) that takes DX7
// voices the way a DX7 and its emulations (Dexed) do, over MIDI System
// Exclusive, and turns two of operator 1's parameters into its sound
// (README.md beside this).
//
// - A 32-voice bulk dump (F0 43 0n 09 20 00, 4,096 bytes of packed voices,
//   checksum, F7) replaces the cartridge; the voice being edited stays.
// - A single-voice dump (F0 43 0n 00 01 1B, 155 bytes, checksum, F7)
//   replaces the voice being edited.
// - A program change n (0-31), or the host's effSetProgram n, unpacks the
//   cartridge's voice n into the voice being edited.
// - A dump with a wrong checksum or length, or another maker's SysEx,
//   changes nothing.
// - Its state (a chunk: effGetChunk, effSetChunk) is the cartridge, the
//   voice being edited and the program: a dump that takes changes it.
// - Its 3 parameters are operator 1's coarse frequency (0-31), fine
//   frequency (0-99) and output level (0-99) of the voice being edited.
//
// A note-on of note n sounds a sine at n's equal-tempered frequency
// (A4 = 440 Hz) times operator 1's frequency ratio (coarse 0 is 0.5, else
// coarse; times 1 + fine / 100), at amplitude 0.5 lowered 0.75 dB a step
// of output level below 99, the same on both channels, until its note-off.
// Only the last note sounds. The rest of a voice is kept, never sounded.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>

#include "plain_vst2.h"

namespace {

constexpr int voices = 32;
constexpr int packed_voice = 128;
constexpr int cartridge_bytes = voices * packed_voice;  // 4,096
constexpr int voice_bytes = 155;                          // one voice, unpacked
// Where operator 1's fields lie in an unpacked voice: operators are kept
// 6 first, 21 bytes each; its output level, coarse and fine at 16, 18, 19.
constexpr int op1 = 5 * 21;
constexpr int op1_level = op1 + 16, op1_coarse = op1 + 18, op1_fine = op1 + 19;
constexpr int name_at = 145;  // 10 ASCII characters, in both forms' last bytes
constexpr int param_count = 3;
const char* const param_names[param_count] = {"OP1 Coarse", "OP1 Fine", "OP1 Level"};
constexpr int param_at[param_count] = {op1_coarse, op1_fine, op1_level};
constexpr int param_max[param_count] = {31, 99, 99};

// The chunk: magic, program, cartridge, voice being edited.
constexpr char chunk_magic[4] = {'V', 'R', 'D', '7'};
constexpr int chunk_bytes = 4 + 1 + cartridge_bytes + voice_bytes;

struct synth {
    plain_vst2 vst2;  // first: the host's AEffect* is our struct's address
    std::uint8_t cartridge[cartridge_bytes];
    std::uint8_t voice[voice_bytes];
    int program;
    std::uint8_t chunk[chunk_bytes];  // what effGetChunk last handed out
    double rate;
    double frequency;
    double amplitude;
    double phase;
    bool on;
    int note;
};

synth& self(plain_vst2* p) { return *reinterpret_cast<synth*>(p); }

// The DX7's INIT VOICE, unpacked: every operator's rates 99, levels 99 0 0 0
// ... operator 1 alone at output level 99, coarse 1; algorithm 1.
void init_voice(std::uint8_t* v) {
    std::memset(v, 0, voice_bytes);
    for (int op = 0; op < 6; ++op) {
        std::uint8_t* o = v + op * 21;
        for (int i = 0; i < 4; ++i) o[i] = 99;  // rates
        o[4] = 99;                              // level 1
        o[8] = 39;                              // break point C3
        o[18] = 1;                              // coarse 1
        o[20] = 7;                              // detune 0
        o[16] = op == 5 ? 99 : 0;               // only operator 1 sounds
    }
    for (int i = 126; i < 130; ++i) v[i] = 99;  // pitch EG rates
    for (int i = 130; i < 134; ++i) v[i] = 50;  // pitch EG levels
    v[136] = 1;                                 // oscillator key sync
    v[137] = 35;                                // LFO speed
    v[141] = 1;                                 // LFO key sync
    v[143] = 3;                                 // pitch mod sensitivity
    v[144] = 24;                                // transpose C3
    std::memcpy(v + name_at, "INIT VOICE", 10);
}

// The 128 bytes of a packed voice as the 155 of an unpacked one (the DX7's
// bulk dump format, operator by operator, then the voice's own fields).
void unpack_voice(const std::uint8_t* p, std::uint8_t* v) {
    for (int op = 0; op < 6; ++op) {
        const std::uint8_t* q = p + op * 17;
        std::uint8_t* o = v + op * 21;
        std::memcpy(o, q, 11);                                                  // rates, levels, break point, depths
        o[11] = q[11] & 3, o[12] = (q[11] >> 2) & 3;                           // curves
        o[13] = q[12] & 7, o[20] = (q[12] >> 3) & 15;                          // rate scaling, detune
        o[14] = q[13] & 3, o[15] = (q[13] >> 2) & 7;                           // AM and velocity sensitivity
        o[16] = q[14];                                                          // output level
        o[17] = q[15] & 1, o[18] = (q[15] >> 1) & 31;                          // mode, coarse
        o[19] = q[16];                                                          // fine
    }
    std::memcpy(v + 126, p + 102, 8);                                           // pitch EG
    v[134] = p[110] & 31;                                                       // algorithm
    v[135] = p[111] & 7, v[136] = (p[111] >> 3) & 1;                            // feedback, key sync
    std::memcpy(v + 137, p + 112, 4);                                           // LFO speed, delay, depths
    v[141] = p[116] & 1, v[142] = (p[116] >> 1) & 7, v[143] = (p[116] >> 4) & 7;  // LFO sync, wave, pitch mod
    v[144] = p[117];                                                            // transpose
    std::memcpy(v + name_at, p + 118, 10);
}

void pack_voice(const std::uint8_t* v, std::uint8_t* p) {
    for (int op = 0; op < 6; ++op) {
        const std::uint8_t* o = v + op * 21;
        std::uint8_t* q = p + op * 17;
        std::memcpy(q, o, 11);
        q[11] = static_cast<std::uint8_t>((o[11] & 3) | (o[12] & 3) << 2);
        q[12] = static_cast<std::uint8_t>((o[13] & 7) | (o[20] & 15) << 3);
        q[13] = static_cast<std::uint8_t>((o[14] & 3) | (o[15] & 7) << 2);
        q[14] = o[16];
        q[15] = static_cast<std::uint8_t>((o[17] & 1) | (o[18] & 31) << 1);
        q[16] = o[19];
    }
    std::memcpy(p + 102, v + 126, 8);
    p[110] = v[134] & 31;
    p[111] = static_cast<std::uint8_t>((v[135] & 7) | (v[136] & 1) << 3);
    std::memcpy(p + 112, v + 137, 4);
    p[116] = static_cast<std::uint8_t>((v[141] & 1) | (v[142] & 7) << 1 | (v[143] & 7) << 4);
    p[117] = v[144];
    std::memcpy(p + 118, v + name_at, 10);
}

void select_voice(synth& s, int n) {
    if (n < 0 || n >= voices) return;
    s.program = n;
    unpack_voice(s.cartridge + n * packed_voice, s.voice);
}

bool checksum_ok(const std::uint8_t* data, int size, std::uint8_t sum) {
    unsigned total = 0;
    for (int i = 0; i < size; ++i) total += data[i];
    return ((0x80 - (total & 0x7f)) & 0x7f) == sum;
}

// One SysEx message, F0 to F7: a DX7 voice dump on any channel takes.
void take_sysex(synth& s, const std::uint8_t* m, std::size_t size) {
    if (size < 8 || m[0] != 0xf0 || m[1] != 0x43 || (m[2] & 0xf0) != 0 || m[size - 1] != 0xf7) return;
    const int count = m[4] << 7 | m[5];
    if (size != static_cast<std::size_t>(count) + 8 || !checksum_ok(m + 6, count, m[6 + count])) return;
    for (int i = 0; i < count; ++i)
        if (m[6 + i] & 0x80) return;
    if (m[3] == 9 && count == cartridge_bytes) std::memcpy(s.cartridge, m + 6, cartridge_bytes);
    if (m[3] == 0 && count == voice_bytes) std::memcpy(s.voice, m + 6, voice_bytes);
}

void handle_midi(plain_vst2* p, const unsigned char* m) {
    synth& s = self(p);
    const int kind = m[0] & 0xf0, note = m[1] & 0x7f;
    if (kind == 0x90 && m[2] > 0) {
        const int coarse = s.voice[op1_coarse] & 31;
        const double ratio = (coarse == 0 ? 0.5 : coarse) * (1.0 + std::fmin(s.voice[op1_fine], 99) / 100.0);
        s.note = note;
        s.frequency = 440.0 * std::pow(2.0, (note - 69) / 12.0) * ratio;
        s.amplitude = 0.5 * std::pow(10.0, -0.75 * (99 - std::fmin(s.voice[op1_level], 99)) / 20.0);
        s.phase = 0.0;
        s.on = true;
    } else if ((kind == 0x80 || kind == 0x90) && note == s.note) {
        s.on = false;
    } else if (kind == 0xb0 && (m[1] == 120 || m[1] == 123)) {
        s.on = false;
    } else if (kind == 0xc0) {
        select_voice(s, m[1] & 0x7f);
    }
}

void render(plain_vst2* p, float** out, int from, int to, int add) {
    synth& s = self(p);
    const double step = 2.0 * M_PI * s.frequency / s.rate;
    for (int t = from; t < to; ++t) {
        const double y = s.on ? s.amplitude * std::sin(s.phase) : 0.0;
        if (s.on) s.phase = std::fmod(s.phase + step, 2.0 * M_PI);
        for (int c = 0; c < 2; ++c) out[c][t] = add ? out[c][t] + static_cast<float>(y) : static_cast<float>(y);
    }
}

void silence(plain_vst2* p) { self(p).on = false; }

void destroy(plain_vst2* p) { delete &self(p); }

void set_parameter(AEffect* e, int index, float value) {
    if (index < 0 || index >= param_count) return;
    const float v = value < 0 ? 0 : value > 1 ? 1 : value;
    self(reinterpret_cast<plain_vst2*>(e)).voice[param_at[index]] =
        static_cast<std::uint8_t>(std::lround(v * param_max[index]));
}

float get_parameter(AEffect* e, int index) {
    if (index < 0 || index >= param_count) return 0;
    return static_cast<float>(self(reinterpret_cast<plain_vst2*>(e)).voice[param_at[index]]) / param_max[index];
}

// Takes every SysEx event of a block at once (a dump is no sound: its
// frame does not matter), queueing the MIDI ones.
void take_events(synth& s, const VstEvents* list) {
    for (int i = 0; i < list->numEvents; ++i) {
        const VstEvent* ev = list->events[i];
        if (!ev || ev->type != kVstSysExType) continue;
        const auto* x = reinterpret_cast<const VstMidiSysexEvent*>(ev);
        // dumpBytes is a 32-bit count in the SDK's layout (fst.h widens it).
        const auto size = static_cast<std::uint32_t>(x->dumpBytes);
        if (x->sysexDump && size > 0) take_sysex(s, reinterpret_cast<const std::uint8_t*>(x->sysexDump), size);
    }
    plain_vst2_queue(&s.vst2, list);
}

VstIntPtr dispatch(AEffect* e, int opcode, int index, VstIntPtr value, void* ptr, float opt) {
    synth& s = self(reinterpret_cast<plain_vst2*>(e));
    switch (opcode) {
        case effProcessEvents:
            if (ptr) take_events(s, static_cast<const VstEvents*>(ptr));
            return 1;
        case effSetSampleRate: s.rate = opt > 0 ? opt : 48000.0; return 0;
        case effSetProgram: select_voice(s, static_cast<int>(value)); return 0;
        case effGetProgram: return s.program;
        case effGetProgramName:
        case effGetProgramNameIndexed: {
            const int n = opcode == effGetProgramName ? s.program : index;
            if (n < 0 || n >= voices) return 0;
            char name[11] = {};
            std::memcpy(name, opcode == effGetProgramName ? s.voice + name_at : s.cartridge + n * packed_voice + 118, 10);
            plain_vst2_put_text(ptr, kVstMaxProgNameLen, name);
            return 1;
        }
        case effGetParamName:
        case effGetParamLabel:
        case effGetParamDisplay: {
            if (index < 0 || index >= param_count) return 0;
            char text[16];
            if (opcode == effGetParamName) std::snprintf(text, sizeof text, "%s", param_names[index]);
            else if (opcode == effGetParamLabel) text[0] = '\0';
            else std::snprintf(text, sizeof text, "%d", s.voice[param_at[index]]);
            // Longer than the SDK's 8 characters, as many plugins write (hosts give room).
            plain_vst2_put_text(ptr, 32, text);
            return 0;
        }
        case effGetChunk: {
            if (!ptr) return 0;
            std::memcpy(s.chunk, chunk_magic, 4);
            s.chunk[4] = static_cast<std::uint8_t>(s.program);
            std::memcpy(s.chunk + 5, s.cartridge, cartridge_bytes);
            std::memcpy(s.chunk + 5 + cartridge_bytes, s.voice, voice_bytes);
            *static_cast<void**>(ptr) = s.chunk;
            return chunk_bytes;
        }
        case effSetChunk: {
            const auto* c = static_cast<const std::uint8_t*>(ptr);
            if (!c || value != chunk_bytes || std::memcmp(c, chunk_magic, 4) != 0 || c[4] >= voices) return 0;
            s.program = c[4];
            std::memcpy(s.cartridge, c + 5, cartridge_bytes);
            std::memcpy(s.voice, c + 5 + cartridge_bytes, voice_bytes);
            return 1;
        }
        case effCanDo:
            if (ptr && std::strcmp(static_cast<const char*>(ptr), "receiveVstSysexEvent") == 0) return 1;
            return plain_vst2_dispatch(e, opcode, index, value, ptr, opt);
        default: return plain_vst2_dispatch(e, opcode, index, value, ptr, opt);
    }
}

constexpr plain_vst2_info info = {
    .name = "vr-test-dx7",
    .product = "vr-test-dx7",
    .vendor = "vst-render",
    .unique_id = CCONST('V', 'r', 'D', '7'),
    .midi = handle_midi,
    .render = render,
    .silence = silence,
    .close = destroy,
};

}  // namespace

extern "C" AEffect* VSTPluginMain(audioMasterCallback host) {
    (void) host;
    auto* s = new (std::nothrow) synth{};
    if (!s) return nullptr;
    s->rate = 48000.0;
    init_voice(s->voice);
    for (int n = 0; n < voices; ++n) pack_voice(s->voice, s->cartridge + n * packed_voice);
    AEffect* e = plain_vst2_init(&s->vst2, &info);
    e->dispatcher = dispatch;
    e->setParameter = set_parameter;
    e->getParameter = get_parameter;
    e->numPrograms = voices;
    e->numParams = param_count;
    e->flags |= effFlagsProgramChunks;
    return e;
}
