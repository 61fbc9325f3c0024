// SPDX-License-Identifier: GPL-3.0-or-later
#include "supervise/supervise_worker.hpp"

#include <algorithm>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "core/error.hpp"
#include "supervise/display.hpp"
#include "supervise/interrupts.hpp"
#include "supervise/supervise_status.hpp"

namespace vr {

void arrange_worker_fds(int fd, int keep) {
    if (fd != 3 && ::dup2(fd, 3) < 0) ::_exit(71);
    int null = ::open("/dev/null", O_RDONLY);  // 3 is taken: never 3
    if (null > 0) ::dup2(null, 0);
    auto close_from_to = [](unsigned from, unsigned to) {
        if (from <= to && ::close_range(from, to, 0) != 0)
            for (unsigned i = from; i <= std::min(to, 1023u); ++i) ::close(static_cast<int>(i));
    };
    if (keep > 3) {
        close_from_to(4, static_cast<unsigned>(keep) - 1);
        close_from_to(static_cast<unsigned>(keep) + 1, ~0U);
    } else {
        close_from_to(4, ~0U);
    }
}

int serve_jobs(int fd, const worker_handler& handle, later_pictures* pictures) {
    interrupts::install_in_worker(fd);  // again for a worker exec'd (sandboxed) or made ahead (warm)
    line_reader in(fd, std::size_t(1) << 30);
    line_writer out(fd);
    std::string line;
    bool too_long = false;
    // The pictures still drawn are drawn while the next line is awaited;
    // a line that comes within a millisecond (the supervisor's next job,
    // sent as it reads an answer) is read at once.
    auto wait_for_line = [&] {
        for (int wait_ms = 1; pictures && pictures->drawing() && !in.line_buffered(); wait_ms = 0) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, wait_ms) != 0) return;
            pictures->run(0.001);
        }
    };
    try {
        while ((wait_for_line(), in.next(line, too_long))) {
            // With room (core/records.hpp): a job object grown key by key
            // would copy its stages, set_params and all, at each growth.
            json message = parse_with_room(line);
            if (message.is_discarded()) message = json::parse(line);  // throws, saying why
            if (pictures && message.value("pictures", "") == "finish") {
                pictures->finish();
                out.write_line(json{{"pictures", pictures->take_finished()}}.dump());
                continue;
            }
            worker_result r;
            try {
                json record = json::object();  // room first (core/records.hpp)
                record.get_ref<json::object_t&>().reserve(64);
                if (auto d = message.find("display"); d != message.end() && d->is_string())
                    use_display(d->get<std::string>());
                // Its picture drawn after its answer, but for a job rendered
                // again after a worker ended as it drew its picture.
                if (pictures) pictures->answer_later(!message.value("picture_whole", false));
                r = handle(message["job"], std::move(record),
                           [&](double audio_s) { out.write_line(json{{"rendering_s", audio_s}}.dump()); });
            } catch (const std::exception& e) {
                // The handler makes errors records; this is for what slips past it.
                r.record = json::object();
                set_error(r.record, e.what());
            }
            r.record["worker_rss_mb"] = rss_mb();
            json answer{{"record", std::move(r.record)}, {"crashed", r.crashed}};
            if (r.load_died) answer["load_died"] = true;
            if (pictures)
                if (json done = pictures->take_finished(); !done.empty()) answer["pictures"] = std::move(done);
            std::string text;
            try {
                text = answer.dump(-1, ' ', false, json::error_handler_t::strict);
            } catch (const json::type_error&) {
                // As record_writer does: a plugin's name that is not UTF-8 is reported, never mangled.
                set_error(answer["record"], "record holds text that is not valid UTF-8");
                text = answer.dump(-1, ' ', false, json::error_handler_t::replace);
            }
            out.write_line(text);
        }
    } catch (const pipe_closed&) {
        // The supervisor is gone.
    }
    if (pictures) pictures->answer_later(false);
    return 0;
}

std::optional<double> rendering_audio_s(const std::string& line) {
    if (line.rfind(R"({"rendering_s":)", 0) != 0) return std::nullopt;
    try {
        return json::parse(line).at("rendering_s").get<double>();
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

void put_answer(json& record, json&& fields) {
    for (auto& [key, value] : fields.items()) record[key] = std::move(value);
}

}  // namespace vr
