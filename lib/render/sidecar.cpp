// SPDX-License-Identifier: GPL-3.0-or-later
#include "render/sidecar.hpp"

#include <span>

#include "core/error.hpp"
#include "core/files.hpp"

namespace vr {

std::string sidecar_path(const std::string& output_path) { return output_path + ".json"; }

void write_sidecar(json& record) {
    if (!record.is_object() || record.value("status", "") != "ok") return;
    auto out = record.find("output_path");
    if (out == record.end() || !out->is_string()) return;
    std::string path = sidecar_path(out->get<std::string>());
    std::string text = record.dump() + "\n";
    try {
        write_file_atomic(path, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
    } catch (const record_error& e) {
        set_error(record, std::string("the audio was written but its sidecar was not: ") + e.what());
    }
}

}  // namespace vr
