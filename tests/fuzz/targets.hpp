// SPDX-License-Identifier: GPL-3.0-or-later
// The fuzz targets' bodies. Each feeds arbitrary bytes to one parser, lets
// only the parser's documented errors (vr::record_error and its kin) pass, and
// checks a property of what was parsed; a violated property calls
// __builtin_trap(), so libFuzzer and the unit tests both see a crash.
#pragma once
#include <cstddef>
#include <cstdint>

// .fxp/.fxb and preset sniffing: what parses, written back, parses the same.
void vr_fuzz_fxp(const std::uint8_t* data, std::size_t size);
// .vstpreset and preset sniffing: every chunk lies inside the input.
void vr_fuzz_vstpreset(const std::uint8_t* data, std::size_t size);
// Serum files, JUCE state blobs and raw CBOR: what decodes re-encodes to a
// value that decodes back equal; a preset converts to a state that reads back.
void vr_fuzz_serum(const std::uint8_t* data, std::size_t size);
// The NDJSON record loop: one valid JSON record out per non-blank line in.
void vr_fuzz_records(const std::uint8_t* data, std::size_t size);
// The MIDI parser: events in time order, times and duration finite.
void vr_fuzz_midi(const std::uint8_t* data, std::size_t size);
// assign-paths' sanitizer and assigner: each path inside the output folder,
// UTF-8 in NFC, components of at most 255 bytes, unique under fold_key.
void vr_fuzz_paths(const std::uint8_t* data, std::size_t size);
// LV2 manifests: plugins listed once each, binaries absolute paths or none.
void vr_fuzz_lv2(const std::uint8_t* data, std::size_t size);
// DX7 SysEx files: the dumps tile the file, each checked; names printable;
// any SysEx file's messages tile it too (presets/sysex_file.hpp).
void vr_fuzz_dx7(const std::uint8_t* data, std::size_t size);
// The JSON reader under .vital presets: it reads what nlohmann reads, the
// same top-level members, refusing only deeper nesting (and a BOM).
void vr_fuzz_vital(const std::uint8_t* data, std::size_t size);
// The XML reader under JUCE XML presets: a tree written back reads the same.
void vr_fuzz_juce_xml(const std::uint8_t* data, std::size_t size);

// The harness's own checks: no coverage callbacks (one for each branch and
// each comparison) and no features of their own for libFuzzer to keep and
// weigh, which cost more than the parse they check. What they call in lib/
// stays instrumented. (Only clang's fuzz build has the instrumentation.)
#if defined(__clang__)
#define VR_FUZZ_UNTRACED __attribute__((no_sanitize("coverage")))
#else
#define VR_FUZZ_UNTRACED
#endif

// Stops the run when a property does not hold: libFuzzer saves the input, and
// a unit test replaying it dies.
inline void vr_fuzz_require(bool ok) {
    if (!ok) __builtin_trap();
}
