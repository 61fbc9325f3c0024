// SPDX-License-Identifier: GPL-3.0-or-later
#include "supervise/batch.hpp"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "core/beneath.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "jobs/job_wire.hpp"
#include "jobs/sidecar.hpp"
#include "supervise/probe_cache.hpp"
#include "supervise/progress.hpp"
#include "supervise/stale_temps.hpp"
#include "supervise/supervise_status.hpp"

namespace vr {

namespace {

// What every record printed for a job goes through right before it is
// written (a result, a skipped job, a record passed through): the one place
// for what concerns a finished job as a whole.
class finisher {
public:
    finisher(bool sidecar, bool warm) : sidecar_(sidecar), warm_(warm) {}
    void operator()(json& record, record_writer& out) {
        // Whether a warm render-one ran it (a job's own field says nothing).
        if (warm_)
            record["warm_process"] = true;
        else
            record.erase("warm_process");
        if (sidecar_) write_sidecar(record);
        progress_.count(record);
        out.write(record);
    }

private:
    bool sidecar_, warm_;
    progress_meter progress_;
};

// Counts, for each flag given on the command line that sets a job field's
// default, the jobs whose own field took precedence, and says so once at the
// end of the run (a re-render of results with new flags keeps their fields).
class shadowed_flags {
public:
    explicit shadowed_flags(const render_options& options) : flags_(options.field_flags), counts_(flags_.size()) {}
    ~shadowed_flags() {
        std::string said;
        for (std::size_t i = 0; i < flags_.size(); ++i)
            if (counts_[i])
                said += std::string(said.empty() ? "" : ", ") + "--" + flags_[i].first + " by " + flags_[i].second +
                        " in " + std::to_string(counts_[i]) + (counts_[i] == 1 ? " job" : " jobs");
        if (!said.empty())
            warn("fields of the jobs took precedence over flags: " + said +
                 " (a job's field always wins; render-one(1) shows how to change fields with jq)");
    }
    void count(const json& record) {
        for (std::size_t i = 0; i < flags_.size(); ++i)
            if (record.contains(flags_[i].second)) ++counts_[i];
    }

private:
    const std::vector<std::pair<std::string, std::string>>& flags_;
    std::vector<std::size_t> counts_;
};

// A skipped job's record, with what the sidecar of its earlier render says
// (when there is a readable one): a resumed run keeps its measurements.
json skipped(json&& record, const std::string& output_path) {
    try {
        constexpr std::size_t max_sidecar_bytes = 64u << 20;
        const auto bytes = read_file(sidecar_path(output_path), max_sidecar_bytes);
        const json earlier = json::parse(bytes.begin(), bytes.end());
        if (earlier.is_object() && earlier.value("status", "") == "ok")
            for (const auto& [key, value] : earlier.items())
                if (!record.contains(key)) record[key] = value;
    } catch (const std::exception&) {
        // No sidecar, or not one of ours: the job is skipped all the same.
    }
    record["status"] = "skipped";
    return std::move(record);
}

// One job record to its result: checked once; skipped, or rendered by the
// worker (workers) or here (in_place).
class batch {
public:
    batch(const render_options& options, supervisor* workers, const job_renderer* in_place)
        : options_(options),
          workers_(workers),
          in_place_(in_place),
          finish_(options.sidecar, options.warm_session),
          shadowed_(options),
          cache_(options.probe_cache) {}

    // Records go out in the order of the jobs: one whose picture is still
    // drawn (picture_pending, supervise.hpp) holds back those after it.
    void operator()(json&& record, record_writer& out) {
        json result;
        try {
            result = render(std::move(record));
        } catch (const std::exception&) {
            // What the record loop writes for it goes after those held.
            finish_pictures(out);
            throw;
        }
        held_.push_back(std::move(result));
        put_pictures();
        write_ready(out);
    }

    // Every record held written, once their pictures have ended.
    void finish_pictures(record_writer& out) {
        if (workers_) workers_->finish_pictures();
        put_pictures();
        write_ready(out);
    }

private:
    // The pictures that ended, in their records. A job whose worker ended
    // as it drew the picture (another job's plugin crashed or hung, or its
    // own) is rendered again, its picture taken before it is answered: a
    // plugin that crashes in its editor fails its own job alone.
    void put_pictures() {
        if (!workers_) return;
        for (auto ended = workers_->take_pictures(); !ended.empty(); ended = workers_->take_pictures())
            for (auto& end : ended) {
                auto r = std::find_if(held_.begin(), held_.end(), [&](const json& h) {
                    return h.value("picture_pending", 0LL) == end.ticket;
                });
                auto sent = again_.find(end.ticket);
                std::optional<supervised_job> again;
                if (sent != again_.end()) {
                    again = std::move(sent->second);
                    again_.erase(sent);
                }
                if (r == held_.end()) continue;
                r->erase("picture_pending");
                if (end.error.empty()) {
                    put_answer(*r, std::move(end.fields));
                } else if (end.worker_ended && again) {
                    again->picture_whole = true;
                    const int before = r->value("attempts", 1);
                    try {
                        json result = workers_->run(*again);
                        result.erase("probe_learnt");  // kept from its first render
                        result["attempts"] = before + result.value("attempts", 1);
                        *r = std::move(result);
                    } catch (const record_error&) {
                        set_error(*r, end.error);
                    }
                } else {
                    set_error(*r, end.error);
                }
            }
    }

    void write_ready(record_writer& out) {
        while (!held_.empty() && !held_.front().contains("picture_pending")) {
            finish_(held_.front(), out);
            held_.pop_front();
        }
    }

    json render(json&& record) {
        if (is_error(record) || is_skipped(record)) return std::move(record);
        // A params field this run did not read back (plugin-scan's, an
        // earlier render's) would label the result with values the plugin
        // may not hold: --params writes it anew, else it goes.
        record.erase("params");
        // (-o's one job is made from the flags: nothing there shadows them.)
        if (options_.mode == render_mode::batch) shadowed_.count(record);
        try {
            render_job job = make_render_job(record, options_.defaults, options_.plugins);
            if (sweep_and_look(job, options_.skip_existing)) return skipped(std::move(record), job.output_path);
            if (options_.before_render) options_.before_render(job);
            const std::vector<std::optional<json>> keys = look_up_verdicts(job);
            // What the job was rendered with, in its record: written here,
            // so that a worker answers with what it adds alone.
            put_job_settings(job, record);
            json result;
            if (workers_) {
                supervised_job sent{std::move(record), to_wire(job), job.output_path, job.output_root, key_of(job),
                                    sandbox_of(job, options_.supervision.sandbox),
                                    job.song ? job.song->stems_dir : std::string()};
                sent.display_may_help = !linux_plugins(job).empty();
                sent.needs_display = cached_display_need(job);
                // On the run's own display; --edit's is the user's (DISPLAY).
                sent.shows_editor = job.shows_editor() && !options_.worker.edit;
                // A job with a picture, as sent: rendered again when its
                // worker ends as it draws the picture (put_pictures).
                std::optional<supervised_job> again;
                if (!job.screenshot_path.empty()) again = sent;
                try {
                    result = workers_->run(sent);
                } catch (...) {
                    record = std::move(sent.record);  // as it was: the error goes in it below
                    throw;
                }
                if (again && result.contains("picture_pending"))
                    again_.emplace(result.value("picture_pending", 0LL), std::move(*again));
                // A job that showed its editor had a display for it, whether
                // its plugin needs one to load or not.
                if (!sent.needs_display && !job.shows_editor() && !options_.worker.edit)
                    keep_display_need(job, result);
            } else {
                if (job.sandbox)
                    throw record_error("sandbox: a job rendered in place (--no-isolate) cannot be sandboxed");
                if (job.shows_editor() && !options_.worker.edit)
                    throw record_error(std::string(job.editor_first ? "editor_first" : "screenshot_path") +
                                       ": a job rendered in place (--no-isolate) shows no editor: it needs the "
                                       "worker's own display");
                result = (*in_place_)(job, std::move(record), {}).record;
                result["worker_rss_mb"] = rss_mb();
                result["attempts"] = 1;
            }
            keep_verdicts(keys, result);
            return result;
        } catch (const record_error& e) {
            set_error(record, e.what());
        } catch (const std::filesystem::filesystem_error& e) {
            set_error(record, e.what());
        }
        return std::move(record);
    }

    // The probe cache's key of each stage's plugin, and job.probe_verdicts
    // set from what it holds (nothing when the cache is off; a song's
    // stages are laid out by the worker: not kept). A key is made once a
    // run for each plugin and its settings.
    std::vector<std::optional<json>> look_up_verdicts(render_job& job) {
        std::vector<std::optional<json>> keys;
        if (!cache_.enabled() || job.song) return keys;
        job.probe_verdicts = json::array();
        job.plugin_sha256s = json::array();
        for (const auto& st : job.stages) {
            const bool sidechain = !st.sidechain_path.empty();
            const std::string id = st.plugin.location + '\n' + st.plugin.wine_prefix + '\n' +
                                   std::to_string(job.sample_rate) + ' ' + std::to_string(job.block_size) + ' ' +
                                   std::to_string(job.channels) + ' ' + (sidechain ? "s" : "-");
            auto k = keys_.find(id);
            if (k == keys_.end())
                k = keys_.emplace(id, probe_cache_key(st.plugin, job.sample_rate, job.block_size, job.channels,
                                                      sidechain, options_.worker.real_randomness,
                                                      windows_identity(st.plugin)))
                        .first;
            keys.push_back(k->second);
            job.plugin_sha256s.push_back(k->second ? k->second->value("binary_sha256", json()) : json());
            std::optional<json> verdict = k->second ? cache_.find(*k->second) : std::nullopt;
            job.probe_verdicts.push_back(verdict ? std::move(*verdict) : json(k->second ? json() : json(false)));
        }
        return keys;
    }

    // The job's plugins that load in the worker itself (neither Windows
    // builds nor Faust programs), by location: those a display may concern
    // (supervise/display.hpp).
    static std::map<std::string, const plugin_ref*> linux_plugins(const render_job& job) {
        std::map<std::string, const plugin_ref*> plugins;
        for (const auto& st : job.stages)
            if (!st.plugin.windows && st.plugin.format != plugin_format::faust)
                plugins.emplace(st.plugin.location, &st.plugin);
        return plugins;
    }

    // Whether the probe cache says one of the job's plugins needs a display
    // (its binary's entry read once a run; nothing with --no-cache).
    bool cached_display_need(const render_job& job) {
        if (!cache_.enabled()) return false;
        for (const auto& [location, plugin] : linux_plugins(job)) {
            auto known = display_needs_.find(location);
            if (known == display_needs_.end())
                known = display_needs_.emplace(location, cache_.needs_display(*plugin)).first;
            if (known->second) return true;
        }
        return false;
    }

    // Keeps that the job's plugin needs a display when its render says it
    // ran on one the supervisor gave it after its first load died, and it
    // rendered: for a job of one plugin (in a chain of several, which one
    // needed it is not known).
    void keep_display_need(const render_job& job, const json& result) {
        if (!cache_.enabled() || !result.value("virtual_display", false) || is_error(result)) return;
        const auto plugins = linux_plugins(job);
        if (plugins.size() != 1) return;
        const auto& [location, plugin] = *plugins.begin();
        if (display_needs_[location] || !display_kept_.insert(location).second) return;
        cache_.store_needs_display(*plugin);
    }

    std::optional<json> windows_identity(const plugin_ref& plugin) const {
        if (!plugin.windows || !options_.windows_verdict_identity) return std::nullopt;
        return options_.windows_verdict_identity(plugin);
    }

    // Keeps what the worker's probes learnt (its probe_learnt, which no
    // record prints).
    void keep_verdicts(const std::vector<std::optional<json>>& keys, json& result) {
        auto learnt = result.find("probe_learnt");
        if (learnt == result.end()) return;
        if (learnt->is_array())
            for (std::size_t i = 0; i < keys.size() && i < learnt->size(); ++i)
                if (keys[i] && (*learnt)[i].is_object()) cache_.store(*keys[i], (*learnt)[i]);
        result.erase(learnt);
    }

    // Sweeps the job's folder of stale temporaries; with look, says whether
    // its output exists. Below an output root, a link on the way fails the
    // job here, before it renders (the writer refuses it again as it writes).
    bool sweep_and_look(const render_job& job, bool look) {
        // A path in the stems folder: sweep_folder_of sweeps its folder.
        const std::string stem = job.song && !job.song->stems_dir.empty()
                                     ? (std::filesystem::path(job.song->stems_dir) / "stem").string()
                                     : std::string();
        // The editor's picture (screenshot_path) is an output too: its
        // folder swept, and a job whose picture is missing renders again.
        const std::string& picture = job.screenshot_path;
        if (job.output_root.empty()) {
            temps_.sweep_folder_of(job.output_path);
            if (!stem.empty()) temps_.sweep_folder_of(stem);
            if (!picture.empty()) temps_.sweep_folder_of(picture);
            return look && std::filesystem::exists(job.output_path) &&
                   (picture.empty() || std::filesystem::exists(picture));
        }
        auto root = beneath::open_existing(job.output_root);
        if (!root) return false;
        temps_.sweep_folder_of(*root, job.output_path);
        if (!stem.empty()) temps_.sweep_folder_of(*root, stem);
        if (!picture.empty()) temps_.sweep_folder_of(*root, picture);
        return look && root->exists(job.output_path) && (picture.empty() || root->exists(picture));
    }

    const render_options& options_;
    supervisor* workers_;
    const job_renderer* in_place_;
    finisher finish_;
    shadowed_flags shadowed_;
    stale_temps temps_;
    probe_cache cache_;
    std::map<std::string, std::optional<json>> keys_;  // probe cache keys made this run
    std::map<std::string, bool> display_needs_;        // by plugin: needs a display, as the cache said
    std::set<std::string> display_kept_;               // plugins whose need this run kept in the cache
    std::deque<json> held_;  // results not written yet, in the jobs' order
    std::map<long long, supervised_job> again_;  // by picture_pending: the jobs whose pictures are drawn, as sent
};

int run_batch(const render_options& options, supervisor* workers, const job_renderer* in_place, record_writer& out) {
    batch jobs(options, workers, in_place);
    if (options.mode == render_mode::single) {
        json record{{"output_path", options.output_path}};
        if (options.defaults.midi_path) record["midi_path"] = absolute_path(*options.defaults.midi_path);
        jobs(std::move(record), out);
        jobs.finish_pictures(out);
        return out.exit_code();
    }
    // Errored and skipped records go through the finisher too.
    record_loop_options loop;
    loop.pass_errors = loop.pass_skipped = false;
    for_each_record(0, out, std::ref(jobs), loop);
    jobs.finish_pictures(out);
    return out.exit_code();
}

}  // namespace

int serve_worker(const renderer_host& host, int fd) {
    return host([&](const job_renderer& render, later_pictures& pictures) {
        return serve_jobs(
            fd,
            [&](const json& job, json&& record, const rendering_callback& rendering) {
                return render(from_wire(job), std::move(record), rendering);
            },
            &pictures);
    });
}

int render_jobs(const render_options& options, const renderer_host& host, record_writer& out) {
    if (!options.isolate)
        return host([&](const job_renderer& render, later_pictures&) { return run_batch(options, nullptr, &render, out); });
    // This process never loads a plugin: each worker does, in its own
    // process (supervise.hpp says why a fork).
    supervisor workers(options.supervision, [&](int fd) { return serve_worker(host, fd); });
    const int code = run_batch(options, &workers, nullptr, out);
    workers.end_if_interrupted();
    return code;
}

}  // namespace vr
