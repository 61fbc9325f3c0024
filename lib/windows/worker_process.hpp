// SPDX-License-Identifier: GPL-3.0-or-later
// What makes a Windows process fit to be render-one's worker under wine:
// stdin and stdout in binary mode (else every 0x0A written gains a 0x0D),
// no error dialog boxes, and a crash that ends the process quietly with a
// report in place of the answer the Linux side waits for.
#pragma once
#include <cstdint>

namespace vr::windows {

// Sets the process up as a worker; a crash then writes its report to
// stdout (report_mark where a message's length would be, then 4 bytes of
// the exception code, 4 of a name's length and the name of the module the
// crash was in: host/instance_wire.hpp reads it) and ends the process with
// exit status crash_status.
void become_worker(int crash_status, std::uint32_t report_mark);

}  // namespace vr::windows
