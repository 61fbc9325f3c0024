// SPDX-License-Identifier: GPL-3.0-or-later
// What makes a Windows process fit to be render-one's worker under wine:
// the wire (host/instance_wire.hpp) on descriptors of its own, in binary
// mode (else every 0x0A written gains a 0x0D), with the process's standard
// output sent to its standard error and its standard input read from NUL,
// so that a plugin that prints (printf, std::cout, WriteFile on the
// standard output handle, its own C runtime's) or reads never touches the
// wire, as render-one's own standard output is kept for records (core/
// process.hpp's protect_stdout); no error dialog boxes; and a crash that
// ends the process quietly with a report in place of the answer the Linux
// side waits for.
#pragma once
#include <cstdint>
#include <cstdio>

namespace vr::windows {

// The wire: requests in, answers out.
struct worker_wire {
    std::FILE* in = nullptr;
    std::FILE* out = nullptr;
};

// Sets the process up as a worker and returns the wire (what stdin and
// stdout were); a crash then writes its report on the wire (report_mark
// where a message's length would be, then 4 bytes of the exception code, 4
// of a name's length and the name of the module the crash was in:
// host/instance_wire.hpp reads it) and ends the process with exit status
// crash_status. Before any plugin loads: a plugin's own C runtime takes
// the standard handles as it starts.
worker_wire become_worker(int crash_status, std::uint32_t report_mark);

}  // namespace vr::windows
