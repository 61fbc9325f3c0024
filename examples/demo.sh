#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# make demo: runs the toolkit over the bundled fixtures and shows what it emits.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
PATH="${VR_BIN:-$here/build/bin}:$PATH"
echo "== job-grid: one preset record, three notes, two velocities"
echo '{"preset_path":"example.fxp"}' | job-grid --notes 48-72:12 --velocities 64,127
