// SPDX-License-Identifier: GPL-3.0-or-later
#include "host/instance_server.hpp"

#include <map>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "host/describe_instance.hpp"
#include "host/instance_wire.hpp"
#include "host/plugin_call.hpp"
#include "host/plugin_instance.hpp"

namespace vr::host {

namespace {

class server {
public:
    explicit server(server_hooks hooks) : hooks_(hooks) {}

    json answer(const json& request) {
        const std::string op = request.at("op").get<std::string>();
        if (op == "hello") return json{{"platform", this_platform}, {"version", VR_VERSION}};
        if (op == "load") return load(request);
        if (op == "restore") {
            if (!instances_.empty())
                throw record_error("no restore: " + std::to_string(instances_.size()) +
                                   " instance(s) still alive in this worker");
            const std::string why = hooks_.restore ? hooks_.restore() : "this host cannot restore a plugin's state";
            if (!why.empty()) throw record_error("no restore: " + why);
            return nullptr;
        }
        if (op == "describe") {
            const plugin_ref ref = ref_from_wire(request.at("ref"));
            return describe_file(scan_job{ref.location, ref.format, {}, request.at("params").get<bool>()});
        }
        const int id = request.at("id").get<int>();
        auto found = instances_.find(id);
        if (found == instances_.end()) throw fatal_error("no instance " + std::to_string(id) + " in this host");
        plugin_instance& p = *found->second;
        if (op == "free") {
            // The worker that asks ends (render_worker's destructor): nothing
            // renders in this process after it either, and the instance goes
            // outside its context, as the rest do at the end of input.
            if (request.value("renders_over", false)) set_renders_over(true);
            instances_.erase(found);
            return nullptr;
        }
        if (op == "programs") {
            json names = json::array();
            for (int i = 0, n = p.program_count(); i < n; ++i) names.push_back(p.program_name(i));
            return json{{"names", std::move(names)}, {"current", p.current_program()}};
        }
        if (op == "current_program") return p.current_program();
        if (op == "select_program") {
            p.select_program(request.at("index").get<int>());
            return nullptr;
        }
        if (op == "set_parameter") {
            const std::string field = request.at("field").get<std::string>();
            return p.set_parameter(request.at("key").get<std::string>(), request.at("value").get<double>(),
                                   field.c_str());
        }
        if (op == "apply_preset") return p.apply_preset(preset_from_wire(request.at("preset")));
        if (op == "state") return bytes_to_wire(p.state());
        if (op == "program_preset") return bytes_to_wire(p.program_preset(request.at("as_params").get<bool>()));
        if (op == "bank_preset") return bytes_to_wire(p.bank_preset());
        if (op == "read_params") return to_wire(p.read_params());
        if (op == "param_values") return p.param_values();
        if (op == "param_names") return p.param_names();
        if (op == "reset") {
            p.reset();
            return nullptr;
        }
        if (op == "render") return render(p, request);
        // The editor (plugin_instance.hpp): made and run here, its pixels
        // read from the X server by the Linux side.
        if (op == "has_editor") return p.has_editor();
        if (op == "open_editor") {
            p.open_editor(request.at("titled").get<bool>(), request.at("timeout_s").get<double>());
            return json{{"x11_window", p.editor_x11_window()}};
        }
        if (op == "run_editor")
            return p.run_editor_for(request.at("seconds").get<double>(), request.at("redraw").get<bool>());
        if (op == "editor_shows_plugin") return p.editor_shows_plugin();
        if (op == "close_editor") {
            p.close_editor();
            return nullptr;
        }
        throw fatal_error("unknown request '" + op + "'");
    }

private:
    json load(const json& request) {
        const plugin_ref ref = ref_from_wire(request.at("ref"));
        const int rate = request.at("rate").get<int>();
        if (hooks_.before_load) hooks_.before_load(ref, rate, request.value("restores", true));
        auto p = plugin_instance::load(ref, rate, request.at("block").get<int>(), false,
                                       request.at("sidechain").get<bool>());
        json info = to_wire(p->info());
        const int id = next_id_++;
        instances_.emplace(id, std::move(p));
        return json{{"id", id}, {"info", std::move(info)}};
    }

    static json render(plugin_instance& p, const json& request) {
        std::optional<audio_buffer> input, sidechain;
        automation moves;
        render_feed feed;
        if (auto i = request.find("input"); i != request.end()) feed.input = &input.emplace(audio_from_wire(*i));
        if (auto s = request.find("sidechain"); s != request.end())
            feed.sidechain = &sidechain.emplace(audio_from_wire(*s));
        if (auto m = request.find("moves"); m != request.end()) {
            moves = automation_from_wire(*m);
            feed.moves = &moves;
        }
        feed.automation_step = request.at("automation_step").get<int>();
        feed.moves_in_beats = request.value("moves_in_beats", false);
        render_stats stats;
        audio_buffer audio = p.render(plan_from_wire(request.at("plan")), request.at("channels").get<int>(), feed,
                                      &stats);
        return json{{"audio", to_wire(audio)},
                    {"process_s", stats.process_s},
                    {"tail_frames", stats.tail_frames},
                    {"tail_capped", stats.tail_capped}};
    }

    server_hooks hooks_;
    std::map<int, std::unique_ptr<plugin_instance>> instances_;
    int next_id_ = 1;
};

}  // namespace

int serve_instances(std::FILE* in, std::FILE* out, server_hooks hooks) {
    server s(hooks);
    for (;;) {
        std::optional<json> request;
        try {
            request = read_message(in);
        } catch (const fatal_error&) {
            return 1;
        }
        if (!request) {  // the worker ends: its instances go with s, and nothing renders after them
            set_renders_over(true);
            return 0;
        }
        json reply;
        try {
            if (auto seed = request->find("seed"); seed != request->end() && hooks.on_seed)
                hooks.on_seed(seed->get<std::uint32_t>());
            reply = json{{"ok", s.answer(*request)}};
        } catch (const record_error& e) {
            reply = json{{"error", e.what()}, {"kind", "record"}};
        } catch (const std::exception& e) {
            reply = json{{"error", e.what()}, {"kind", "fatal"}};
        }
        if (!write_message(out, reply)) return 1;
    }
}

}  // namespace vr::host
