// SPDX-License-Identifier: GPL-3.0-or-later
#include "supervise/fresh_render.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/handles.hpp"
#include "core/process.hpp"
#include "core/records.hpp"
#include "supervise/probe.hpp"

extern char** environ;

namespace vr {

namespace {

// A number as a flag's value: as short as it reads back exactly.
std::string flag_value(double x) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", x);
    for (int digits = 1; digits < 17; ++digits) {
        char shorter[32];
        std::snprintf(shorter, sizeof shorter, "%.*g", digits, x);
        if (std::strtod(shorter, nullptr) == x) return shorter;
    }
    return text;
}

// The probe's note (supervise/probe.hpp, the_probe_note) as flags. A
// plugin that takes no MIDI (an effect) gets no note, which render-one
// would refuse, but its input: the input's length and a tail as long as the
// probe's plan.
std::vector<std::string> arguments(const plugin_ref& plugin, int sample_rate, int block_size,
                                   const std::string& isolation, bool real_randomness, bool takes_midi,
                                   double input_s) {
    const probe_note& n = the_probe_note;
    std::vector<std::string> a = {"render-one", "--no-isolate", "--plugin", plugin.location,
                                  "--isolation", isolation, "--sample-rate", std::to_string(sample_rate),
                                  "--block-size", std::to_string(block_size), "--channels", "2",
                                  "--seed", std::to_string(n.seed)};
    if (takes_midi)
        a.insert(a.end(), {"--note", std::to_string(n.note), "--velocity", std::to_string(n.velocity), "--duration",
                           flag_value(n.duration_s), "--tail", flag_value(n.tail_s)});
    else
        a.insert(a.end(), {"--tail", flag_value(std::max(0.0, n.duration_s + n.tail_s - input_s))});
    if (real_randomness) a.emplace_back("--real-randomness");
    // The prefix the first process chose (the job's, --wine-prefix's, or
    // WINEPREFIX's): the second loads the plugin there too.
    if (plugin.windows && !plugin.wine_prefix.empty()) a.insert(a.end(), {"--wine-prefix", plugin.wine_prefix});
    return a;
}

std::string temp_output() {
    static int counter = 0;
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir && *dir ? dir : "/tmp") + "/vr-check-reproducible-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter++) + ".npy";
}

// Everything the child writes on fd until it closes it, or until the
// deadline; false on the deadline.
bool read_until_closed(int fd, const deadline& until, std::string& out) {
    char buf[4096];
    for (;;) {
        double left = until.seconds_left();
        if (left <= 0) return false;
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(left * 1000) + 1);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) continue;
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return true;
        out.append(buf, static_cast<std::size_t>(n));
    }
}

// The error of the child's last record, or a word on its output.
std::string error_of(const std::string& output) {
    auto end = output.find_last_not_of('\n');
    if (end == std::string::npos) return "it printed no record";
    auto start = output.rfind('\n', end);
    std::string line = output.substr(start == std::string::npos ? 0 : start + 1, end + 1);
    try {
        json r = json::parse(line);
        if (r.contains("error") && r["error"].is_object()) return r["error"].value("message", line);
    } catch (const json::exception&) {
    }
    return "it printed: " + line;
}

}  // namespace

fresh_render render_in_fresh_process(const plugin_ref& plugin, int sample_rate, int block_size,
                                     const std::string& isolation, bool real_randomness, double timeout_s,
                                     const audio_buffer* input, bool takes_midi) {
    fresh_render out;
    const std::string path = temp_output();
    std::string input_path;
    if (input) {
        input_path = temp_output();
        try {
            write_audio_file(input_path, *input, sample_format::float32);
        } catch (const std::exception& e) {
            out.error = e.what();
            return out;
        }
    }
    // Whatever happens below, neither file stays.
    struct remover {
        std::string a, b;
        ~remover() {
            ::unlink(a.c_str());
            if (!b.empty()) ::unlink(b.c_str());
        }
    } cleanup{path, input_path};
    const std::string job = json{{"output_path", path}}.dump() + "\n";
    int in[2], rec[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(rec, O_CLOEXEC) != 0) {
        out.error = std::string("cannot create a pipe: ") + std::strerror(errno);
        return out;
    }
    unique_fd in_read(in[0]), in_write(in[1]), rec_read(rec[0]), rec_write(rec[1]);
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_adddup2(&actions, in_read.get(), 0);
    ::posix_spawn_file_actions_adddup2(&actions, rec_write.get(), 1);
    // Nothing of this worker's (its connection to the supervisor above all)
    // stays open in the child.
    ::posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    const double input_s = input ? static_cast<double>(input->frames()) / sample_rate : 0.0;
    std::vector<std::string> args =
        arguments(plugin, sample_rate, block_size, isolation, real_randomness, takes_midi || !input, input_s);
    if (input) args.insert(args.end(), {"--input", input_path});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    int err = ::posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv.data(), environ);
    ::posix_spawn_file_actions_destroy(&actions);
    if (err != 0) {
        out.error = std::string("cannot start render-one: ") + std::strerror(err);
        return out;
    }
    in_read.close("pipe");
    rec_write.close("pipe");
    // One short line: the pipe holds it whole.
    (void)!::write(in_write.get(), job.data(), job.size());
    in_write.close("pipe");
    std::string records;
    if (!read_until_closed(rec_read.get(), deadline(timeout_s), records)) {
        ::kill(pid, SIGKILL);
        reap_child(pid);
        out.error = "the second process did not finish in " + std::to_string(static_cast<int>(timeout_s)) + " s";
        return out;
    }
    reap_child(pid);
    try {
        out.audio = read_audio_file(path);
        out.ok = true;
    } catch (const std::exception&) {
        out.error = error_of(records);
    }
    return out;
}

std::string first_difference(const audio_buffer& a, const audio_buffer& b) {
    if (a.samples.size() != b.samples.size())
        return std::to_string(a.samples.size()) + " samples against " + std::to_string(b.samples.size());
    for (std::size_t i = 0; i < a.samples.size(); ++i)
        if (std::memcmp(&a.samples[i], &b.samples[i], sizeof(float)) != 0)
            return "first at frame " + std::to_string(i / static_cast<std::size_t>(a.channels ? a.channels : 1)) +
                   " (" + std::to_string(a.samples[i]) + " against " + std::to_string(b.samples[i]) + ")";
    return "";
}

}  // namespace vr
