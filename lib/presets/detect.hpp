// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace vr {

// A file that is not a preset of any kind; its message says what it looks
// like ("an XML document"). A scan ignores these unless the name claims a
// preset format.
struct not_a_preset : record_error {
    using record_error::record_error;
};

// The preset formats told apart by their first bytes.
enum class preset_kind {
    none,       // not a preset
    fx,         // 'CcnK': .fxp or .fxb (the fxMagic at byte 8 says which)
    vstpreset,  // 'VST3'
    serum2,     // "XferJson\0": a .SerumPreset (or Serum 2's own plugin state)
    // Told by sniff_preset_any only (read whole, or by their first bytes):
    dx7_sysex,  // F0 43: a Yamaha SysEx file, DX7 voice dumps (.syx)
    vital,      // {"author": a Vital preset (.vital)
    juce_xml,   // an XML document shaped as a JUCE plugin's state (juce_xml_preset.hpp)
};

// How many leading bytes sniff_preset and describe_content look at.
inline constexpr std::size_t sniff_size = 512;

// The preset kind by the magic bytes at the start of a file, among fx,
// vstpreset and serum2 (what a state file may also be). `head` is the file's first
// sniff_size bytes, or all of it when shorter.
preset_kind sniff_preset(std::span<const std::uint8_t> head);

// Every kind preset-scan reads: sniff_preset's, DX7 SysEx and Vital by their
// first bytes, JUCE XML presets by their root element and its first child
// (which must lie in the head).
preset_kind sniff_preset_any(std::span<const std::uint8_t> head);

// True when the head (a file's first bytes) is the start of a JUCE XML
// preset (presets/juce_xml_preset.hpp): XML whose root's start tag, and its
// first child's name, <programs> or <PARAM>, lie in it.
bool sniff_juce_xml(std::string_view head);

// True while `head` (shorter than a sniff's) could still become one: it is
// white space, a byte order mark or markup so far.
bool juce_xml_unsettled(std::string_view head);

// True when no more bytes after `head` could change what sniff_preset_any
// says: the head is not a proper prefix of any magic, nor XML cut short
// before its root's first child. Lets a reader stop early.
bool sniff_settled(std::span<const std::uint8_t> head);

// The preset kind a file name's extension claims (.fxp .fxb .vstpreset
// .SerumPreset .syx .vital .noisemakerpreset, in any letter case), or none.
preset_kind claimed_by_name(std::string_view path);

// What the kind is called in messages: "an fxp/fxb preset", "a VST3 preset",
// "a Serum 2 preset", "a DX7 SysEx dump", "a Vital preset", "a JUCE XML
// preset".
const char* preset_kind_text(preset_kind kind);

// What a file looks like, from its first bytes, for messages: "an empty
// file", "an Apple binary property list", "an Apple XML property list", "an
// XML document", "a JSON document", "a ZIP archive", "a RIFF WAVE audio
// file", "MIDI System Exclusive data of manufacturer 0x41 (byte 1)", "a
// text file", "binary data (starts 00 01 ...)", and so on.
std::string describe_content(std::span<const std::uint8_t> head);

}  // namespace vr
