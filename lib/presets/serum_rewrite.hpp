// SPDX-License-Identifier: GPL-3.0-or-later
// A Serum 2 preset's CBOR map rewritten into the processor state's shape.
#pragma once
#include "presets/cbor_value.hpp"
#include "presets/serum.hpp"

namespace vr {

// Rewrites a preset's CBOR map in place into the shape Serum's processor
// setState takes (FORMATS.md rules 1-4), every map's keys sorted byte-wise.
void rewrite_preset_to_processor(cbor_value& preset, const processor_markers& markers);

}  // namespace vr
