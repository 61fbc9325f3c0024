// SPDX-License-Identifier: GPL-3.0-or-later
// fst.h declares the extended VST2 names as well: aeffect.h has them all.
#pragma once
#include "aeffect.h"
