// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobs/sidecar.hpp"

#include <span>

#include "core/beneath.hpp"
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
    auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
    try {
        // Beside an output below a root, the sidecar stays below it too.
        auto root = record.find("output_root");
        if (root != record.end() && root->is_string() && !root->get_ref<const std::string&>().empty())
            beneath(root->get<std::string>(), true).write_file_atomic(path, bytes);
        else
            write_file_atomic(path, bytes);
    } catch (const record_error& e) {
        set_error(record, std::string("the audio was written but its sidecar was not: ") + e.what());
    }
}

}  // namespace vr
