// SPDX-License-Identifier: GPL-3.0-or-later
// fst.h holds the extended VST2 names too; see aeffect.h.
#pragma once
#include "aeffect.h"
