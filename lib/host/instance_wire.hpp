// SPDX-License-Identifier: GPL-3.0-or-later
// The pipe between render-one's worker and a plugin host in another
// process (the Windows worker under wine, host/instance_server.hpp): one
// message is a 4-byte little-endian length and the CBOR of a JSON value,
// whose audio, states and presets travel as CBOR byte strings (floats in
// the machine's byte order: both ends are x86-64). Built for Linux and
// Windows alike; no JUCE here.
//
// A request is {"op": NAME, "id": INSTANCE, ...arguments}; its answer
// {"ok": VALUE} or {"error": MESSAGE, "kind": "record" | "fatal"}. Every
// request has exactly one answer, in order.
#pragma once
#include <cstdio>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "audio/file.hpp"
#include "core/records.hpp"
#include "host/plugin_instance.hpp"
#include "jobs/automation.hpp"
#include "midi/play_plan.hpp"
#include "plugins/plugin_ref.hpp"
#include "presets/load.hpp"

namespace vr::host {

// The exit status of a Windows worker that crashed (wine gives the Linux
// side the low 8 bits of a Windows exit code): its report came before it.
inline constexpr int windows_crash_status = 86;
// The length field that announces a crash report in place of an answer:
// then 4 bytes of the exception code, 4 of a name's length and the name of
// the module the crash was in (lib/windows/worker_process.hpp writes it).
inline constexpr std::uint32_t crash_report_mark = 0xFFFFFFFFu;

// The plugin host crashed while it worked on a request.
struct host_crashed : std::runtime_error {
    host_crashed(std::uint32_t code, std::string module);
    std::uint32_t code;
    std::string module;
};

// Writes one message and flushes; false when the other end is gone.
bool write_message(std::FILE* out, const json& message);
// The next message; nullopt at the end of the stream (before a length).
// Throws host_crashed for a crash report, fatal_error for a stream cut
// short inside a message or one that is not CBOR.
std::optional<json> read_message(std::FILE* in);

json to_wire(const play_plan& plan);
play_plan plan_from_wire(const json& j);

json to_wire(const audio_buffer& audio);
audio_buffer audio_from_wire(const json& j);

json to_wire(const loaded_preset& preset);
loaded_preset preset_from_wire(const json& j);

json to_wire(const automation& moves);
automation automation_from_wire(const json& j);

json to_wire(const plugin_info& info);
plugin_info info_from_wire(const json& j);

json to_wire(const plugin_ref& ref);
plugin_ref ref_from_wire(const json& j);

json to_wire(const std::vector<param_reading>& params);
std::vector<param_reading> params_from_wire(const json& j);

json bytes_to_wire(const std::vector<std::uint8_t>& bytes);
std::vector<std::uint8_t> bytes_from_wire(const json& j);

}  // namespace vr::host
