// SPDX-License-Identifier: GPL-3.0-or-later
#include "supervise/display_retry.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "core/error.hpp"
#include "core/record_fields.hpp"
#include "core/tool.hpp"
#include "supervise/display.hpp"
#include "supervise/supervise_status.hpp"

namespace vr {

std::string ended_without_display(const std::string& plugin) {
    return plugin + " ended its process as it loaded with no display (it may need one): ";
}

int run_needing_display(const std::function<int()>& work, const std::string& plugin, record_writer& out) {
    int done[2];
    if (std::getenv("DISPLAY") || ::pipe(done) != 0) return work();
    const pid_t child = ::fork();
    if (child == 0) {
        // Done, whichever way work ends (a closed pipe, an error thrown on:
        // run_tool says those as it would here), but for the plugin's own
        // end of the process.
        ::close(done[0]);
        struct say_done {
            int fd;
            ~say_done() {
                const char finished = 1;
                (void)!::write(fd, &finished, 1);
            }
        };
        int code = 0;
        {
            say_done said{done[1]};
            code = work();
        }
        ::_exit(code);
    }
    ::close(done[1]);
    if (child < 0) {
        ::close(done[0]);
        return work();
    }
    char finished = 0;
    const bool said_done = ::read(done[0], &finished, 1) == 1;
    ::close(done[0]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (said_done) return WIFEXITED(status) ? WEXITSTATUS(status) : 3;
    const std::string signal = WIFSIGNALED(status) ? signal_name(WTERMSIG(status)) : "";
    json r{{"plugin_path", plugin}};
    const std::string died = "the plugin ended the process as it loaded (" +
                             (signal.empty() ? "exit status " + std::to_string(WEXITSTATUS(status)) : signal) + ")";
    if (!may_want_display(signal)) {
        set_error(r, died);
        out.write(r);
        return out.exit_code();
    }
    try {
        ::setenv("DISPLAY", virtual_display("Xvfb is not installed").c_str(), 1);
    } catch (const record_error& why) {
        set_error(r, died + "; if it needs a display: " + why.what());
        out.write(r);
        return out.exit_code();
    }
    warn(ended_without_display(plugin) + "Xvfb " + started_display() + " (pid " +
         std::to_string(started_display_pid()) + ") started for it; loading it again");
    return work();
}

}  // namespace vr
