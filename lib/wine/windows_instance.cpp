// SPDX-License-Identifier: GPL-3.0-or-later
#include "wine/windows_instance.hpp"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/process.hpp"
#include "core/tool.hpp"
#include "host/instance_wire.hpp"
#include "host/plugin_call.hpp"
#include "linux/x11_window.hpp"
#include "plugins/windows_plugin.hpp"
#include "plugins/wine_prefix.hpp"
#include "supervise/display.hpp"
#include "wine/wine_paths.hpp"
#include "wine/wine_session.hpp"

namespace vr::wine {

namespace {

class windows_instance final : public host::plugin_instance {
public:
    windows_instance(std::shared_ptr<windows_host> host, int id, host::plugin_info info)
        : host_(std::move(host)), id_(id), info_(std::move(info)) {}

    ~windows_instance() override {
        if (!host_->alive()) return;
        try {
            // A worker that ends says so: the Windows worker then frees the
            // instance outside its context (host/plugin_call.hpp), as it does
            // the rest at the end of its input.
            ask("free", host::renders_are_over() ? json{{"renders_over", true}} : json::object());
        } catch (const std::exception&) {
            // The host is gone: nothing left to free.
        }
    }

    bool usable() const override { return host_->alive(); }
    const host::plugin_info& info() const override { return info_; }
    int program_count() const override { return static_cast<int>(programs().size()); }
    std::string program_name(int index) const override {
        const auto& names = programs();
        return index >= 0 && index < static_cast<int>(names.size()) ? names[index] : std::string();
    }
    int current_program() const override { return ask("current_program").get<int>(); }
    void select_program(int index) override { ask("select_program", {{"index", index}}); }
    int set_parameter(const std::string& key, double value, const char* field) override {
        return ask("set_parameter", {{"key", key}, {"value", value}, {"field", field}}).get<int>();
    }
    std::string apply_preset(const loaded_preset& preset) override {
        return ask("apply_preset", {{"preset", host::to_wire(preset)}}).get<std::string>();
    }
    std::vector<std::uint8_t> state() const override { return host::bytes_from_wire(ask("state")); }
    std::vector<std::uint8_t> program_preset(bool as_params) const override {
        return host::bytes_from_wire(ask("program_preset", {{"as_params", as_params}}));
    }
    std::vector<std::uint8_t> bank_preset() override { return host::bytes_from_wire(ask("bank_preset")); }
    std::vector<host::param_reading> read_params() const override {
        return host::params_from_wire(ask("read_params"));
    }
    std::vector<float> param_values() const override { return ask("param_values").get<std::vector<float>>(); }
    std::vector<std::string> param_names() const override {
        return ask("param_names").get<std::vector<std::string>>();
    }
    void reset() override { ask("reset"); }

    audio_buffer render(const play_plan& plan, int channels, const host::render_feed& feed,
                        host::render_stats* stats) override {
        json args{{"plan", host::to_wire(plan)}, {"channels", channels}, {"automation_step", feed.automation_step},
                  {"moves_in_beats", feed.moves_in_beats}};
        if (feed.input) args["input"] = host::to_wire(*feed.input);
        if (feed.sidechain) args["sidechain"] = host::to_wire(*feed.sidechain);
        if (feed.moves) args["moves"] = host::to_wire(*feed.moves);
        json answer = ask("render", std::move(args));
        if (stats) {
            stats->process_s = answer.at("process_s").get<double>();
            stats->tail_frames = answer.at("tail_frames").get<std::int64_t>();
            stats->tail_capped = answer.at("tail_capped").get<bool>();
        }
        return host::audio_from_wire(answer.at("audio"));
    }

    // The editor, made and run by the Windows worker; its window waited
    // for and its pixels read here, from the X server, through the X
    // window wine drew it in (windows/editor_windows.hpp).
    bool has_editor() override { return ask("has_editor").get<bool>(); }
    void open_editor(bool titled, double timeout_s) override {
        if (view_) return;
        auto view = std::make_unique<host::x11_view>();  // no display: said before the plugin is asked
        const deadline until(timeout_s);
        const unsigned long window =
            ask("open_editor", {{"titled", titled}, {"timeout_s", timeout_s}}).at("x11_window").get<unsigned long>();
        view_ = std::move(view);
        x11_window_ = window;
        if (!window) {
            close_editor();
            throw record_error("wine drew the editor in no X window of its own (its X11 driver's "
                               "__wine_x11_whole_window)");
        }
        while (!view_->viewable(window)) {
            if (until.seconds_left() <= 0) {
                close_editor();
                throw record_error("wine did not show the editor's window (X window " + std::to_string(window) +
                                   ") on the display within its time");
            }
            run_editor(0.005, false);
        }
    }
    // JUCE 7 editors under wine 8 draw what changed on vertical blanks that
    // wine's DXGI never waits for (a stub): only what a redraw of the whole
    // window asks for is drawn. So each step of a picture's wait starts
    // with one, and an edited window is redrawn every 0.2 s.
    // Wine draws the plugin's windows into its own X window: whether the
    // plugin still shows one of its own is asked of the Windows worker,
    // before a wait for a picture that looks undrawn (wine's window of a
    // plugin that hid its own stays so: that wait took 5 s).
    rgb_image editor_picture(double draw_s) override {
        if (!view_) throw record_error("no editor is open");
        return view_->capture_drawn(x11_window_, [&](double s, bool) { run_editor(s, true); },
                                    {draw_s, host::editor_still_s, host::editor_undrawn_wait_s,
                                     [&] { return ask("editor_shows_plugin").get<bool>(); }});
    }
    void run_editor_until_closed() override {
        if (!view_) throw record_error("no editor is open");
        for (int i = 0; run_editor(0.05, i % 4 == 0) && view_->exists(x11_window_); ++i) {
        }
        close_editor();
    }
    void close_editor() override {
        if (!view_) return;
        view_.reset();
        x11_window_ = 0;
        if (host_->alive()) ask("close_editor");
    }

private:
    bool run_editor(double seconds, bool redraw) {
        return ask("run_editor", {{"seconds", seconds}, {"redraw", redraw}}).get<bool>();
    }
    json ask(const char* op, json args = json::object()) const {
        args["op"] = op;
        args["id"] = id_;
        return host_->call(args);
    }
    // The names of the plugin's programs, asked once (they do not change
    // while it lives).
    const std::vector<std::string>& programs() const {
        if (!programs_) programs_ = ask("programs").at("names").get<std::vector<std::string>>();
        return *programs_;
    }

    std::shared_ptr<windows_host> host_;
    int id_;
    host::plugin_info info_;
    mutable std::optional<std::vector<std::string>> programs_;
    std::unique_ptr<host::x11_view> view_;  // while the editor is open
    unsigned long x11_window_ = 0;
};

// When wine has no display (DISPLAY unset, no Xvfb started here yet):
// starts the Xvfb for this process and every later Windows worker of it,
// starts prefix's wine session again with it (wine chooses a session's
// display driver as the session starts), says so on stderr, and returns
// true. False when there is a display already: the load's failure
// (failure) stands. Throws failure with the reason appended when the
// session is not this process's alone to restart (a server other
// render-ones use, or one that ran before) or Xvfb cannot start.
bool start_display_for(const std::string& plugin, const std::string& prefix, const std::string& failure) {
    if (!started_display().empty()) return false;
    const std::string if_window = failure + "; if it needs a window: ";
    if (!prefix_session_alone(prefix))
        throw record_error(if_window + "the wine session of " + prefix + " started without a display, and " +
                           "render-one cannot start it again (other render-ones use it, or it ran before): " +
                           "render it with --sandbox (a sandbox's wine session is its own), or with DISPLAY set");
    std::string display;
    try {
        display = virtual_display("a Windows plugin needs a window");
    } catch (const record_error& e) {
        throw record_error(if_window + e.what());
    }
    if (!restart_prefix_session(prefix)) {
        stop_display();
        throw record_error(if_window + "the wine session of " + prefix + " is in use by another render-one now");
    }
    warn(plugin + " did not load with no display (it may need a window): Xvfb " + display + " (pid " +
         std::to_string(started_display_pid()) + ") started for the Windows plugins from now on; loading it again");
    return true;
}

}  // namespace

std::string prefix_of(const plugin_ref& ref) {
    const char* wineprefix = std::getenv("WINEPREFIX");
    const char* home = std::getenv("HOME");
    return choose_wine_prefix(ref.location, ref.wine_prefix, {wineprefix ? wineprefix : "", home ? home : ""});
}

std::string checked_prefix(const plugin_ref& ref) {
    // What the file says alone comes first: it needs no wine and no prefix.
    if (std::string why = windows_plugin_reason(ref.location, std::nullopt); !why.empty())
        throw record_error("cannot load plugin " + ref.location + ": " + why);
    if (!find_wine()) throw record_error("a Windows plugin needs wine: apt-get install wine wine64");
    const std::string prefix = prefix_of(ref);
    if (std::string why = windows_plugin_reason(ref.location, prefix); !why.empty())
        throw record_error("cannot load plugin " + ref.location + ": " + why);
    return prefix;
}

std::optional<json> verdict_identity(const plugin_ref& ref) {
    try {
        const auto w = find_wine();
        if (!w) return std::nullopt;
        const std::string prefix = absolute_path(prefix_of(ref));
        const auto stamp = prefix_update_stamp(prefix);
        if (!stamp) return std::nullopt;
        const auto system = stat_identity(prefix + "/drive_c/windows/system32");
        const auto wine = stat_identity(w->wine);
        const auto inf = w->wine_inf.empty() ? std::optional<std::string>("") : stat_identity(w->wine_inf);
        const auto worker = stat_identity(absolute_path(windows_worker_path()));
        if (!system || !wine || !inf || !worker) return std::nullopt;
        return json{{"prefix", prefix},         {"prefix_updated", *stamp}, {"system32", *system},
                    {"wine", *wine},            {"wine_version", w->version}, {"wine_inf", *inf},
                    {"windows_worker", *worker}};
    } catch (const record_error&) {
        return std::nullopt;  // no prefix to name, no worker: not kept
    }
}

json describe_windows_plugin(const scan_job& job) {
    const plugin_ref ref{job.path, job.format, {}, true, job.wine_prefix};
    const std::string prefix = checked_prefix(ref);
    // As load_windows_instance names it: the module file, by its path in the prefix.
    const std::string there = windows_path(windows_plugin_module(ref.location), prefix);
    json fields;
    std::string version;
    {
        windows_host host(prefix);
        version = host.wine_version();
        try {
            fields = host.call(json{{"op", "describe"},
                                    {"ref", host::to_wire(plugin_ref{there, job.format})},
                                    {"params", job.params}});
        } catch (const record_error& e) {
            // The worker names the plugin as wine sees it: the user named it here.
            std::string message = e.what();
            for (auto at = message.find(there); at != std::string::npos; at = message.find(there, at + ref.location.size()))
                message.replace(at, there.size(), ref.location);
            throw record_error(message);
        }
    }
    for (auto& f : fields) f["wine_version"] = version;
    return fields;
}

std::shared_ptr<windows_host> start_restoring_host(const plugin_ref& ref) { return kept_host(checked_prefix(ref)); }

std::unique_ptr<host::plugin_instance> load_windows_instance(const plugin_ref& ref, int sample_rate, int block_size,
                                                             bool sidechain, bool own_process,
                                                             std::shared_ptr<windows_host>* restoring) {
    const std::string prefix = checked_prefix(ref);
    plugin_ref there = ref;
    // JUCE's host on Windows opens a VST3 module file, not a bundle folder,
    // and finds the DLLs beside a plugin from its folder.
    there.location = windows_path(windows_plugin_module(ref.location), prefix);
    keep_server_up(prefix);
    auto start = [&]() -> std::shared_ptr<windows_host> {
        if (restoring) {
            // A host that has loaded no plugin yet restores nothing (but
            // says whether it could: pinning on, an arena).
            if (*restoring && (*restoring)->alive()) {
                (*restoring)->call(json{{"op", "restore"}});
                return *restoring;
            }
            return *restoring = kept_host(prefix);
        }
        return own_process ? own_host(prefix) : shared_host(prefix);
    };
    // Only a worker kept for restores (isolation restore, its probe) is
    // ever asked for one: the others skip the snapshot it needs (about 90
    // fresh pages of copies, 0.1 ms of a one-off's CPU).
    const json load{{"op", "load"},
                    {"ref", host::to_wire(there)},
                    {"rate", sample_rate},
                    {"block", block_size},
                    {"sidechain", sidechain},
                    {"restores", restoring != nullptr}};
    std::shared_ptr<windows_host> host = start();
    json answer;
    try {
        answer = host->call(load);
    } catch (const record_error& e) {
        // A plugin that needs a window fails to load, or crashes loading,
        // where wine has no display: the one sign of that need there is.
        // The run's Xvfb is started then (once), and the load tried again
        // in a worker that has it. Not for a worker killed by SIGKILL,
        // which only comes from outside (the kernel's OOM killer, a
        // user's kill -9), never from a plugin's want of a window: that
        // job fails saying so, as it would rendering.
        const auto* died = dynamic_cast<const host_died*>(&e);
        if (!may_want_display(died ? died->signal : "") || !start_display_for(ref.location, prefix, e.what())) throw;
        host = start();
        answer = host->call(load);
    }
    host::plugin_info info = host::info_from_wire(answer.at("info"));
    info.wine_version = host->wine_version();
    return std::make_unique<windows_instance>(std::move(host), answer.at("id").get<int>(), std::move(info));
}

}  // namespace vr::wine
