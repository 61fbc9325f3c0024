// SPDX-License-Identifier: GPL-3.0-or-later
// What a supervisor says of a worker: signal names, death and timeout
// messages, default time limits, memory.
#pragma once
#include <sys/types.h>

#include <string>

namespace vr {

// A signal's name as error.signal gives it: "SIGSEGV" ("signal 77" when it
// has none).
std::string signal_name(int sig);

// What a wait(2) status of a process that ran plugin code says happened, for
// error.message: "the plugin crashed (signal SIGSEGV)", "the plugin ended the
// render process (exit status 3)".
std::string death_message(int wait_status);

// The message of a job stopped at its time limit: "timeout after 12.0 s".
std::string timeout_message(double limit_s);

// The default wall-clock limit of a job that renders audio_s seconds of
// audio: 30 s + 10 x audio_s.
double default_timeout_s(double audio_s);

// The time added to a job's limit when the worker has to load its plugin
// first (load, warm-up, reset probe): 120 s for a plugin not loaded yet in
// this run, else 10 s + 5 x the load time measured (plugin_load_s, >= 0).
double load_allowance_s(double known_load_s = -1);

// The resident set size of a process (0: this one) in MB, to 0.1 MB, from
// /proc; 0 when it cannot be read.
double rss_mb(pid_t pid = 0);

}  // namespace vr
