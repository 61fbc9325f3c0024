// SPDX-License-Identifier: GPL-3.0-or-later
// A preset or state file turned into checked data a plugin host can apply:
// the one place render-one parses presets (through lib's own parsers), so
// that the host code only hands over what was validated here. No JUCE here.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vr {

// How the data reaches the plugin.
enum class preset_payload {
    params,      // parameter values by index (.fxp FxCk, a program of an FxBk bank)
    fx_chunk,    // a VST2 chunk: `bytes` is an .fxp (FPCh) or .fxb (FBCh) lib wrote
    vst3_state,  // `bytes` is JUCE's VST3 state blob (VC2!)
    raw_state,   // `bytes` are the plugin's own state, as it saves it (state_path):
                 // a VST2's chunk (as its getChunk gives it), a VST3's
                 // component state, an LV2's state property or a whole LV2
                 // state document (host/preset_apply.cpp says how each goes)
    sysex,       // `messages` go to the plugin as MIDI before the job's first frame
                 // (worker/stage_render.cpp): a DX7 voice dump, then the program
                 // change that selects the voice of a cartridge
};

struct loaded_preset {
    std::string path;       // as given, for messages
    std::string sha256;     // of the file
    std::string format;     // fxp fxb vstpreset serum2 vital juce-xml dx7-sysex state
    std::string plugin_id;  // what the file says it is for (fxID text, class id, "Serum2"), or ""
    std::string name;       // the program name, when the file has one
    preset_payload payload = preset_payload::params;
    bool bank = false;                // fx_chunk: bytes are a bank (isPreset = false)
    // The program to select after a bank chunk; of a DX7 cartridge, the
    // voice its program change selects.
    std::optional<int> program;
    std::vector<float> params;        // params
    std::vector<std::uint8_t> bytes;  // fx_chunk, vst3_state, raw_state
    std::vector<std::uint8_t> chunk;  // fx_chunk: the opaque chunk alone
    std::vector<std::vector<std::uint8_t>> messages;  // sysex: each a whole message
    // sysex of a DX7 voice: `messages` with one character of the voice's
    // name changed (its checksum made anew), sent only when `messages` left
    // the plugin's state as it was, to tell a plugin that held that voice
    // already (Dexed's first voice, at start) from one that ignores SysEx.
    std::vector<std::vector<std::uint8_t>> check_messages;
    // Said in the job's record: the file loads, but is likely not what was
    // meant (a .SerumPreset given as a state), or "".
    std::string warning;
};

// Reads and checks a preset (.fxp, .fxb, .vstpreset, .SerumPreset, .vital,
// JUCE XML, DX7 SysEx; told apart by content). program_index picks a
// bank's program (else the bank's current one, else 0) and a DX7 file's
// voice (else its first: the dump that holds it, then for a cartridge the
// program change that selects it); other presets leave it to the
// plugin's programs.
// Throws record_error naming the file and the problem.
loaded_preset load_preset(const std::string& path, std::optional<int> program_index);

// A plugin's own state, handed to it as it saves it (raw_state, above):
// the door for a preset format whose file is the plugin's state (a .vital,
// a JUCE XML preset as binary XML). `path` names it in messages, `format`
// is the record's preset format ("state" for --state). Throws record_error
// for empty bytes.
loaded_preset raw_state(std::vector<std::uint8_t> bytes, const std::string& path, const std::string& format);

// Reads a MIDI System Exclusive file (sysex_path: presets/sysex_file.hpp)
// into a sysex payload of every message it holds, as they are (format
// "sysex"). Throws record_error naming the file and the byte.
loaded_preset load_sysex(const std::string& path);

// Reads a plugin state file (state_path): a JUCE VST3 blob (binary XML
// whose root is <VST3PluginState>) is checked, an .fxp or .fxb goes as its
// chunk or values, any other bytes (a plugin's own binary XML, JSON or
// bytes) go over as they are (raw_state); a .SerumPreset's gets a warning
// (Serum 2 falls back to its init patch for it). Throws record_error
// naming the file.
loaded_preset load_state(const std::string& path);

}  // namespace vr
