// SPDX-License-Identifier: GPL-3.0-or-later
// Whether this build runs under AddressSanitizer, whose allocator and
// stacks take the place of what the child heap's, the plugin arena's and
// the fixed stack's tests check: those tests skip when it is true.
#pragma once

namespace vr::test {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool sanitized = true;
#else
inline constexpr bool sanitized = false;
#endif
#else
inline constexpr bool sanitized = false;
#endif

}  // namespace vr::test
