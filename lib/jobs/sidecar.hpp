// SPDX-License-Identifier: GPL-3.0-or-later
// --sidecar: the result record of a render, beside its audio file.
#pragma once
#include <string>

#include "core/records.hpp"

namespace vr {

// The sidecar path of an output: the file's name with ".json" added
// (a.flac -> a.flac.json).
std::string sidecar_path(const std::string& output_path);

// Writes an ok record with an output_path, as one JSON line, to its sidecar
// atomically (temp file and rename; below the record's output_root, when it
// has one, without following links); other records are left alone. When the
// sidecar cannot be written the record becomes an error saying so.
void write_sidecar(json& record);

}  // namespace vr
