// SPDX-License-Identifier: GPL-3.0-or-later
// Path components safe on every file system: NFC, case folding, cutting,
// reserved names, sanitizing, output extensions.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace vr {

// Longest path component most file systems take (ext4, APFS, NTFS in UTF-16
// units is more, but bytes are what Linux counts).
inline constexpr std::size_t max_component_bytes = 255;

// Longest absolute output path: PATH_MAX less its NUL, less room for the
// temporary file render-one writes beside the output (files.hpp's
// temp_path_beside adds at most 27 bytes to the name).
inline constexpr std::size_t max_output_path_bytes = 4096 - 1 - 32;

// s in Unicode NFC. Throws record_error naming `what` when s is not UTF-8.
std::string nfc(std::string_view s, std::string_view what = "name");

// The key under which a case-insensitive, normalisation-insensitive file
// system (macOS, Windows) sees a name: NFC of the full Unicode case fold.
// Two names with equal keys are the same file there. s must be valid UTF-8.
std::string fold_key(std::string_view s);

// At most max_bytes of valid UTF-8 s, cut between grapheme clusters (so a
// combining sequence stays whole) when one fits, else between characters.
std::string_view truncate_utf8(std::string_view s, std::size_t max_bytes);

// True when Windows reserves the name for a device: CON PRN AUX NUL CLOCK$
// CONIN$ CONOUT$ COM0-9 LPT0-9 (and COM/LPT with superscript 1-3), in any
// case, whatever follows a first dot, trailing spaces ignored.
bool is_reserved_windows_name(std::string_view name);

// One path component that is safe on Linux, macOS and Windows, made from a
// name (see assign-paths(1) for the rules): NFC; control characters (C0, DEL,
// C1), line and paragraph separators, / \ < > : " | ? * become '_'; trailing
// dots and spaces go; an empty result becomes "_"; a leading dot becomes '_';
// a reserved Windows name gets a '_' in front; at most max_bytes bytes, cut by
// truncate_utf8. Throws record_error when name is not valid UTF-8.
std::string sanitize_component(std::string_view name, std::size_t max_bytes = max_component_bytes);

// The audio formats an output extension may pick.
bool is_output_extension(std::string_view ext);

}  // namespace vr
