// SPDX-License-Identifier: GPL-3.0-or-later
#include "supervise/supervise.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/process.hpp"
#include "supervise/interrupts.hpp"
#include "supervise/stale_temps.hpp"
#include "supervise/supervise_status.hpp"

namespace vr {

supervisor::supervisor(supervise_options options, worker_main main)
    : options_(options), main_(std::move(main)) {
    interrupts::install();
    interrupts::ends_input = options_.interrupt_deferred_while;
}

supervisor::~supervisor() {
    if (options_.leave_worker_at_end) {
        if (!keep_worker()) leave_worker();
    } else
        stop_worker();
}

namespace {

// Removes what the dead writer of the job's output (and stems) left there.
void remove_temps_of(const supervised_job& job) {
    remove_temps_of_writer(job.output_path, job.output_root);
    if (!job.stems_dir.empty()) remove_temps_in_folder(job.stems_dir, job.output_root);
}

// Dies of the signal that interrupted us, once the worker is dead and the
// temporary of the job it was writing (if any) removed.
[[noreturn]] void finish_interrupt(pid_t worker, const supervised_job* job, const std::function<void()>& then) {
    int sig = interrupts::caught;
    if (worker > 0) {
        ::kill(-worker, SIGKILL);
        reap_child(worker);
    }
    if (job) remove_temps_of(*job);
    remove_sandbox_home();
    if (then) then();
    sigset_t set = interrupts::set();
    ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
    interrupts::die_now(sig);
    ::_exit(128 + sig);  // not reached
}

void send_all(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            if (interrupts::caught) return;
            continue;
        }
        if (n <= 0) return;  // the worker is gone: its EOF is read next
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace

// What waiting for a job's answer came to, and the limits it ran under.
struct supervisor::waited {
    enum class outcome { answered, closed, late, interrupted, ended_outside } how = outcome::interrupted;
    std::string line;        // the worker's answer (answered)
    int signal = 0;          // the signal from outside the worker said it dies of (ended_outside)
    bool rendering = false;  // the worker said the render began
    bool first_load = false; // the job's plugin was not loaded in this worker before
    double limit = 0;        // the job's own limit (s), from the audio planned once rendering
    double load_limit = 0;   // the allowance for loading the plugin first (0: none)
};

// Sends the job and waits for the worker's answer, its end (EOF on the
// connection) or the time limit; a signal ends the wait at once.
supervisor::waited supervisor::await_answer(const supervised_job& job) {
    using outcome = waited::outcome;
    waited w;
    // Two limits (rendering_callback): until the worker says the render
    // begins, loading the plugin when this worker has not yet; then the
    // job's own, from the length of audio the worker planned.
    const bool limited = options_.timeout_s != 0;
    w.limit = options_.timeout_s < 0 ? default_timeout_s(0) : options_.timeout_s;
    w.first_load = loaded_.insert(job.plugin_key).second;
    if (w.first_load && limited) {
        const double known = load_s_.contains(job.plugin_key) ? load_s_.at(job.plugin_key) : -1;
        w.load_limit = options_.load_timeout_s >= 0 ? options_.load_timeout_s : load_allowance_s(known);
    }
    deadline until(w.load_limit + w.limit);
    auto done = [&](outcome how) {
        w.how = how;
        return std::move(w);
    };
    if (!interrupts::caught)  // else the worker is killed already: the wait below ends at once
        send_all(fd_, "{\"job\":" + job.job.dump(-1, ' ', false, json::error_handler_t::replace) +
                          (display_.empty() ? "" : ",\"display\":" + json(display_).dump()) +
                          (job.picture_whole ? ",\"picture_whole\":true" : "") + "}\n");
    if (!display_.empty()) worker_display_ = display_;
    char buf[65536];
    for (;;) {
        if (interrupts::caught) return done(outcome::interrupted);
        if (auto nl = pending_.find('\n'); nl != std::string::npos) {
            w.line = pending_.substr(0, nl);
            pending_.erase(0, nl + 1);
            if (w.line.empty()) continue;  // before an ended_by_signal line
            if ((w.signal = interrupts::ended_by_signal(w.line.data(), w.line.size())) != 0)
                return done(outcome::ended_outside);
            auto audio_s = rendering_audio_s(w.line);
            if (!audio_s) return done(outcome::answered);
            w.rendering = true;
            if (options_.timeout_s < 0) w.limit = default_timeout_s(*audio_s);
            until = deadline(w.limit);
            continue;
        }
        int wait_ms = -1;
        if (limited) {
            double left = until.seconds_left();
            if (left <= 0) return done(outcome::late);
            wait_ms = static_cast<int>(left * 1000) + 1;
        }
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, wait_ms) <= 0) continue;  // EINTR or the deadline: both checked above
        ssize_t n = ::read(fd_, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return done(outcome::closed);
        pending_.append(buf, static_cast<std::size_t>(n));
    }
}

// The fields of the job's result from what the wait came to: the worker's
// answer, or an error saying how the worker died or that it ran out of time
// (the worker then killed, the temporary it left removed).
supervisor::end supervisor::classify(const supervised_job& job, const waited& w, json& result) {
    using outcome = waited::outcome;
    auto fail = [&](const std::string& message, int sig) {
        remove_temps_of(job);
        result = json::object();
        set_error(result, message);
        if (sig) result["error"]["signal"] = signal_name(sig);
    };
    if (w.how == outcome::late) {
        kill_worker(true);
        // A load (or plan) that never ended: worth a new worker (--retries).
        const bool loading = w.first_load && !w.rendering;
        fail(loading ? timeout_message(w.load_limit + w.limit) + " (loading the plugin)" : timeout_message(w.limit), 0);
        return loading ? end::load_timed_out : end::timed_out;
    }
    // Text that is not JSON parses (without exceptions) as discarded: no object.
    json answer = w.how == outcome::answered ? parse_with_room(w.line) : json();
    if (!answer.is_object() || !answer.contains("record") || !answer["record"].is_object()) {
        if (w.how == outcome::answered) {  // cannot happen unless the worker's memory is corrupt: treat it as a crash
            kill_worker(false);
            fail("the render process answered nonsense", 0);
            return end::crashed;
        }
        // Let the worker itself end before its group is killed, so that its
        // own death is what the status says. (SIGINT or SIGTERM from
        // outside said so first: outcome::ended_outside.)
        wait_exit(options_.kill_grace_s);
        int status = kill_worker(false);
        if (w.first_load && !w.rendering) load_death_ = WIFSIGNALED(status) ? signal_name(WTERMSIG(status)) : "";
        std::string message = death_message(status);
        // bwrap reports a sandbox it cannot make on stderr and exits 1,
        // before render-one runs: then no plugin ended anything.
        if (sandbox_.on && answers_ == 0 && WIFEXITED(status))
            message = "the sandboxed render process ended before its first answer (exit status " +
                      std::to_string(WEXITSTATUS(status)) + "): bwrap's message on stderr, if it could not " +
                      "make the sandbox, or the plugin's exit";
        fail(message, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        return end::crashed;
    }
    ++answers_;
    result = std::move(answer["record"]);
    note_pictures(answer, result);
    if (answer.value("load_died", false)) load_death_ = result.value(json::json_pointer("/error/signal"), "");
    if (auto t = result.find("plugin_load_s"); t != result.end() && t->is_number())
        load_s_[job.plugin_key] = t->get<double>();
    bool crashed = answer.value("crashed", false);
    if (crashed) remove_temps_of(job);
    // The worker's memory is its own and that of the Windows workers it keeps.
    if (options_.max_rss_mb > 0) {
        double mb = 0;
        for (const char* field : {"worker_rss_mb", "windows_worker_rss_mb"})
            if (auto it = result.find(field); it != result.end() && it->is_number()) mb += it->get<double>();
        if (mb > options_.max_rss_mb) stop_worker();
    }
    return crashed ? end::crashed : end::answered;
}

void supervisor::note_pictures(json& answer, json& result) {
    if (auto ended = answer.find("pictures"); ended != answer.end() && ended->is_array())
        for (auto& e : *ended) {
            auto d = e.is_object() ? drawing_.find(e.value("picture", 0LL)) : drawing_.end();
            if (d == drawing_.end()) continue;
            picture_end end{d->second, json::object(), e.value("error", "")};
            if (auto f = e.find("fields"); f != e.end() && f->is_object()) end.fields = std::move(*f);
            ended_.push_back(std::move(end));
            drawing_.erase(d);
        }
    if (auto p = result.find("picture_pending"); p != result.end()) {
        if (p->is_number_integer()) {
            drawing_[p->get<long long>()] = next_ticket_;
            *p = next_ticket_++;
        } else {
            result.erase(p);
        }
    }
}

void supervisor::fail_pictures(const std::string& why) {
    for (const auto& [id, ticket] : drawing_)
        ended_.push_back({ticket, json::object(),
                          "screenshot_path: the audio was written but its picture was not: its render process "
                          "ended before it was drawn (" + why + ")",
                          true});
    drawing_.clear();
}

void supervisor::finish_pictures() {
    if (!pid_ || drawing_.empty()) return;
    // Busy as a job is (a signal is acted on here), and as it was after:
    // a job's attempt may be the caller (--max-rss stops its worker).
    struct busy_while {
        sig_atomic_t was = interrupts::busy;
        busy_while() { interrupts::busy = 1; }
        ~busy_while() { interrupts::busy = was; }
    } busy;
    if (!interrupts::caught) send_all(fd_, "{\"pictures\":\"finish\"}\n");
    const deadline until(finish_pictures_s);
    char buf[65536];
    for (;;) {
        if (interrupts::caught) finish_interrupt(pid_, nullptr, options_.on_interrupt);
        if (auto nl = pending_.find('\n'); nl != std::string::npos) {
            const std::string line = pending_.substr(0, nl);
            pending_.erase(0, nl + 1);
            if (line.empty()) continue;
            if (int sig = interrupts::ended_by_signal(line.data(), line.size())) {
                interrupts::caught = sig;
                continue;
            }
            json answer = parse_with_room(line);
            if (answer.is_object() && answer.contains("pictures") && !answer.contains("record")) {
                json none;
                note_pictures(answer, none);
                fail_pictures("it did not say how it ended");
                return;
            }
            continue;
        }
        const double left = until.seconds_left();
        if (left <= 0) break;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left * 1000) + 1) <= 0) continue;
        ssize_t n = ::read(fd_, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        pending_.append(buf, static_cast<std::size_t>(n));
    }
    // It died, or drew for too long: what it drew still ends in an error.
    if (until.seconds_left() <= 0) {
        fail_pictures("its pictures were not drawn within " + std::to_string(static_cast<int>(finish_pictures_s)) +
                      " s");
        kill_worker(true);
        return;
    }
    wait_exit(options_.kill_grace_s);
    kill_worker(false);
}

void supervisor::end_if_interrupted() {
    if (interrupts::caught) finish_interrupt(pid_, nullptr, options_.on_interrupt);
}

supervisor::end supervisor::attempt(const supervised_job& job, json& result) {
    // Interrupted between jobs (interrupt_deferred_while): this job never starts.
    if (interrupts::caught) finish_interrupt(pid_, &job, options_.on_interrupt);
    if (pid_ && worker_exited()) kill_worker(false);  // died while idle: not this job's doing
    // The sandbox module decides which sandbox serves the job; a worker in
    // another one is replaced.
    const sandbox_spec wanted = worker_sandbox_for(sandbox_, job.sandbox, pid_ != 0);
    if (pid_ && wanted != sandbox_) stop_worker();
    if (!pid_) start_worker(wanted);
    // Busy until the worker is dealt with: a signal meanwhile is acted on
    // here, after the worker's temporary file is removed.
    interrupts::busy = 1;
    struct not_busy {
        ~not_busy() { interrupts::busy = 0; }
    } on_return;
    in_flight_ = true;  // until the worker is dealt with (a throw leaves it so)
    const waited w = await_answer(job);
    if (w.how == waited::outcome::ended_outside) {
        // SIGINT or SIGTERM from outside reached the worker (or the job's
        // child) first: what sent it is ending the run (a scheduler
        // cancelling a task signals each of its processes), and ours may
        // come a moment later. The run ends by it now, as if render-one had
        // caught it: no record for the job in flight, which the plugin did
        // not end (slurm.sh --resume renders it again).
        interrupts::caught = w.signal;
    } else if (w.how != waited::outcome::interrupted) {
        end e = classify(job, w, result);
        in_flight_ = false;
        if (!interrupts::caught) return e;
    }
    // The one place a signal is acted on: the wait ends at once for it, and
    // what classify waits for (the worker's death) gives up at once too.
    finish_interrupt(pid_, &job, options_.on_interrupt);
}

json supervisor::run(supervised_job& job) {
    json fields;
    if (job.sandbox.on)
        if (auto why = sandbox_unavailable()) {  // never rendered unsandboxed instead
            json result = std::move(job.record);
            set_error(result, *why);
            return result;
        }
    give_display_if_needed(job);
    for (int tries = 1, display_tries = 0, beside_pictures = 0;; ++tries) {
        // A worker that dies or hangs as it draws earlier jobs' pictures
        // may be a plugin's editor's doing, not this job's: the job is tried
        // once more in a new worker (not one of --retries'), and the job
        // whose picture it was fails alone, rendered again (batch.cpp).
        const bool pictures_drawn = !drawing_.empty();
        end e = attempt(job, fields);
        if (pictures_drawn && !beside_pictures && !pid_ && (e == end::crashed || e == end::timed_out)) {
            ++beside_pictures;
            continue;
        }
        if (retry_on_display(job, fields, e)) ++tries, ++display_tries;  // not one of --retries'
        if ((e == end::crashed || e == end::load_timed_out) && tries - display_tries - beside_pictures <= options_.retries) {
            stop_worker();  // a fresh worker for the next try
            continue;
        }
        json result = std::move(job.record);
        put_answer(result, std::move(fields));
        result["attempts"] = tries;
        if (!display_.empty()) result["virtual_display"] = true;
        if (job.sandbox.on) result["sandbox"] = true;
        // A signal that came while the worker was being replaced.
        if (interrupts::caught) finish_interrupt(pid_, &job, options_.on_interrupt);
        return result;
    }
}

}  // namespace vr
