// SPDX-License-Identifier: GPL-3.0-or-later
// Helpers shared by the preset unit tests: the fixtures and their INDEX rows.
#pragma once
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fixtures.hpp"

namespace preset_tests {

using namespace vr_test;

// The bytes of a string, as a file would hold them.
inline byte_vector bytes_of(const std::string& s) { return byte_vector(s.begin(), s.end()); }

}  // namespace preset_tests
