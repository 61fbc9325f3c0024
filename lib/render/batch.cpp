// SPDX-License-Identifier: GPL-3.0-or-later
#include "render/batch.hpp"

#include <filesystem>
#include <optional>

#include "core/error.hpp"
#include "core/files.hpp"
#include "render/progress.hpp"
#include "render/sidecar.hpp"
#include "render/stale_temps.hpp"
#include "render/supervise_status.hpp"

namespace vr {

namespace {

// What every record printed for a job goes through right before it is
// written (a result, a skipped job, a record passed through): the one place
// for what concerns a finished job as a whole.
class finisher {
public:
    explicit finisher(bool sidecar) : sidecar_(sidecar) {}
    void operator()(json& record, record_writer& out) {
        if (sidecar_) write_sidecar(record);
        progress_.count(record);
        out.write(record);
    }

private:
    bool sidecar_;
    progress_meter progress_;
};

// One job record to its result: checked once; skipped, or rendered by the
// worker (workers) or here (in_place).
class batch {
public:
    batch(const render_options& options, supervisor* workers, const job_renderer* in_place)
        : options_(options), workers_(workers), in_place_(in_place), finish_(options.sidecar) {}

    void operator()(json&& record, record_writer& out) {
        json result = render(std::move(record));
        finish_(result, out);
    }

private:
    json render(json&& record) {
        if (is_error(record) || is_skipped(record)) return std::move(record);
        try {
            const render_job job = make_render_job(record, options_.defaults, options_.plugins);
            temps_.sweep_folder_of(job.output_path);
            if (options_.skip_existing && std::filesystem::exists(job.output_path)) {
                record["status"] = "skipped";
                return std::move(record);
            }
            if (workers_) return workers_->run({record, to_wire(job), job.output_path, key_of(job)});
            json result = (*in_place_)(job, std::move(record), {}).record;
            result["worker_rss_mb"] = rss_mb();
            result["attempts"] = 1;
            return result;
        } catch (const record_error& e) {
            set_error(record, e.what());
        } catch (const std::filesystem::filesystem_error& e) {
            set_error(record, e.what());
        }
        return std::move(record);
    }

    const render_options& options_;
    supervisor* workers_;
    const job_renderer* in_place_;
    finisher finish_;
    stale_temps temps_;
};

int run_batch(const render_options& options, supervisor* workers, const job_renderer* in_place, record_writer& out) {
    batch jobs(options, workers, in_place);
    if (options.mode == render_mode::single) {
        json record{{"output_path", options.output_path}};
        if (options.defaults.midi_path) record["midi_path"] = absolute_path(*options.defaults.midi_path);
        jobs(std::move(record), out);
        return out.exit_code();
    }
    // Errored and skipped records go through the finisher too.
    record_loop_options loop;
    loop.pass_errors = loop.pass_skipped = false;
    return for_each_record(0, out, std::ref(jobs), loop);
}

}  // namespace

int render_jobs(const render_options& options, const renderer_host& host, record_writer& out) {
    if (!options.isolate)
        return host([&](const job_renderer& render) { return run_batch(options, nullptr, &render, out); });
    // This process never loads a plugin: each worker does, in its own
    // process (supervise.hpp says why a fork).
    supervisor workers(options.supervision, [&](int fd) {
        return host([&](const job_renderer& render) {
            return serve_jobs(fd, [&](const json& job, json&& record, const rendering_callback& rendering) {
                return render(from_wire(job), std::move(record), rendering);
            });
        });
    });
    return run_batch(options, &workers, nullptr, out);
}

}  // namespace vr
