// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobs/chain.hpp"

#include "core/error.hpp"
#include "core/files.hpp"

namespace vr {

namespace {

// The fields a stage has; at the top of a record with a chain, an error.
constexpr const char* stage_fields[] = {"plugin_path", "program_index", "state_path", "preset_path",
                                        "set_params",  "automation",    "sidechain_path", "sysex_path"};

plugin_stage read_stage(const json& obj, std::size_t i) {
    const std::string where = "chain stage " + std::to_string(i);
    if (!obj.is_object()) throw record_error(where + " must be an object {\"plugin_path\": ...}");
    plugin_stage s;
    try {
        auto path = get_path(obj, "plugin_path");
        if (!path) throw record_error("no plugin_path");
        s.plugin = resolve_plugin(*path);
        read_stage_fields(obj, s);
    } catch (const record_error& e) {
        throw record_error(where + ": " + e.what());
    }
    return s;
}

json stage_json(const plugin_stage& s) {
    json o{{"plugin_path", s.plugin.location}};
    if (s.program_index) o["program_index"] = *s.program_index;
    if (!s.state_path.empty()) o["state_path"] = s.state_path;
    if (!s.preset_path.empty()) o["preset_path"] = s.preset_path;
    if (!s.params.empty()) {
        json p = json::object();
        for (const auto& [k, v] : s.params) p[k] = v;
        o["set_params"] = std::move(p);
    }
    if (!s.moves.empty()) o["automation"] = automation_json(s.moves);
    if (!s.sidechain_path.empty()) o["sidechain_path"] = s.sidechain_path;
    if (!s.sysex_path.empty()) o["sysex_path"] = s.sysex_path;
    return o;
}

}  // namespace

std::vector<std::pair<std::string, double>> read_set_params(const json& value, const std::string& where) {
    if (!value.is_object()) throw record_error("field '" + where + "' must be an object {\"name or index\": 0..1}");
    std::vector<std::pair<std::string, double>> out;
    for (const auto& [key, v] : value.items()) {
        if (!v.is_number() || !(v.get<double>() >= 0.0 && v.get<double>() <= 1.0))
            throw record_error(where + ": '" + key + "' must be a number from 0 to 1");
        out.emplace_back(key, v.get<double>());
    }
    return out;
}

void read_stage_fields(const json& obj, plugin_stage& s) {
    if (auto p = get_integer(obj, "program_index", 0, 1 << 20)) s.program_index = static_cast<int>(*p);
    if (auto p = get_path(obj, "state_path")) s.state_path = absolute_path(*p);
    if (auto p = get_path(obj, "preset_path")) s.preset_path = absolute_path(*p);
    if (obj.contains("set_params") && !obj["set_params"].is_null())
        s.params = read_set_params(obj["set_params"], "set_params");
    if (obj.contains("automation") && !obj["automation"].is_null())
        s.moves = read_automation(obj["automation"], "automation");
    if (auto p = get_path(obj, "sidechain_path")) s.sidechain_path = absolute_path(*p);
    if (auto p = get_path(obj, "sysex_path")) s.sysex_path = absolute_path(*p);
}

bool read_chain(const json& record, render_job& job) {
    if (!record.contains("chain") || record["chain"].is_null()) return false;
    const json& chain = record["chain"];
    if (!chain.is_array() || chain.empty())
        throw record_error("field 'chain' must be a non-empty array of stages {\"plugin_path\": ...}");
    if (chain.size() > max_chain_stages)
        throw record_error("field 'chain' has " + std::to_string(chain.size()) + " stages; at most " +
                           std::to_string(max_chain_stages));
    for (const char* f : stage_fields)
        if (record.contains(f) && !record[f].is_null())
            throw record_error(std::string("field '") + f +
                               "' and a chain: give each stage's plugin, program, state, preset, set_params, "
                               "automation and sidechain in its stage");
    job.stages.clear();
    for (std::size_t i = 0; i < chain.size(); ++i) job.stages.push_back(read_stage(chain[i], i));
    return true;
}

void add_then_stages(const std::vector<std::string>& plugins, render_job& job) {
    for (const auto& p : plugins) {
        plugin_stage s;
        s.plugin = resolve_plugin(p);
        job.stages.push_back(std::move(s));
    }
    if (job.stages.size() > max_chain_stages)
        throw record_error("the chain has " + std::to_string(job.stages.size()) + " stages; at most " +
                           std::to_string(max_chain_stages));
}

void put_chain(const render_job& job, json& record) {
    json chain = json::array();
    for (const auto& s : job.stages) chain.push_back(stage_json(s));
    for (const char* f : stage_fields) record.erase(f);
    record["chain"] = std::move(chain);
}

}  // namespace vr
