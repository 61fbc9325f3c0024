// SPDX-License-Identifier: GPL-3.0-or-later
// Walking files and folders for presets (preset-scan's operands).
#pragma once
#include <string>

#include "core/records.hpp"
#include "presets/scan.hpp"

namespace vr {

// Scans one operand (a file or a folder, walked recursively, following
// symlinks, in byte-wise order of paths) and writes a record per preset and
// an error record per broken preset or unreadable entry. Never blocks on
// FIFOs, never loops on symlink cycles.
void scan_operand(const std::string& operand, const scan_options& options, record_writer& out);

}  // namespace vr
