// SPDX-License-Identifier: GPL-3.0-or-later
// Over 400 lines: render-one's whole option table, in the order of
// render-one(1), and the reading that checks it, kept in one place.
#include "jobs/options.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/files.hpp"
#include "jobs/song.hpp"

namespace vr {

void declare_render_options(cli& cli) {
    cli.add()("p,plugin", "the plugin for every job (.so VST2, .vst3, .lv2 bundle or LV2 URI); KEY=PATH maps a "
                          "preset_format or preset_plugin_id to a plugin (repeatable)",
              cxxopts::value<std::vector<std::string>>(), "PATH")(
        "list-programs", "print one record per program of the --plugin, then exit")(
        "explain-probe", "probe the --plugin as a batch would (at the rate, block size, channels, sidechain, "
                         "randomness and prefix the flags give) and print one record per way tried, then the "
                         "verdict, then exit")(
        "export-programs", "write each program of the --plugin as a preset file (.fxp or .vstpreset) into DIR, "
                           "one record per file, then exit", cxxopts::value<std::string>(), "DIR")(
        "export-params", "with --export-programs: write VST2 programs as parameter values (FxCk) even when "
                         "the plugin uses chunks")(
        "export-bank", "write all programs of the VST2 --plugin into one .fxb bank, then exit",
        cxxopts::value<std::string>(), "FILE")(
        "ignore-plugin-id", "load presets whose preset_plugin_id is not the plugin's")(
        "params", "add params: every parameter read back at the end of the render (index, name, value, text)")(
        "save-state", "with -o or --job: write the plugin's state after the preset and parameters were applied",
        cxxopts::value<std::string>(), "FILE")(
        "save-preset", "with -o or --job: write the plugin's program at that moment as a preset of its format: .fxp for a "
                       "VST2, .vstpreset for a VST3",
        cxxopts::value<std::string>(), "FILE")(
        "o,output", "render one job from the flags into this file and print its record", cxxopts::value<std::string>(),
        "FILE")("output-root", "the folder jobs without output_root write below: their output_path must lie under it, "
                               "and no symbolic link below it is followed (output_root)",
                cxxopts::value<std::string>(), "DIR")(
        "stems-dir", "the folder a song job (tracks) without stems_dir writes its stems into (stems_dir)",
        cxxopts::value<std::string>(), "DIR")(
        "wine-prefix", "the wine prefix Windows plugins load in, unless one lies in a prefix's drive_c "
                       "(default: WINEPREFIX, else ~/.wine) (wine_prefix)",
        cxxopts::value<std::string>(), "DIR")(
        "skip-existing", "skip jobs whose output file (and picture, screenshot_path) exists (status skipped)")(
        "job", "render this one job record (one JSON line) instead of reading standard input",
        cxxopts::value<std::string>(), "JSON")(
        "records", "write the result records to FILE instead of standard output", cxxopts::value<std::string>(),
        "FILE")("link", "with --job: once it ends with exit 0 and its output file is there, point the "
                        "symbolic link LINK at that file (a make target that exists when the output does)",
                cxxopts::value<std::string>(), "LINK")(
        "plugin-home", "set HOME to this folder (created, with .config, .local/share and .cache, the XDG_* "
                         "variables pointing there) for plugins that write there; in a sandbox, a private "
                         "temporary folder unless given",
        cxxopts::value<std::string>(), "DIR");
    cli.add("Faust programs (a .dsp plugin_path, or faust_code)")(
        "faust-voices", "play every Faust program with N voices (0: none), whatever its [nvoices:N] says",
        cxxopts::value<int>(), "N")(
        "faust-max-mb", "fail a Faust compile that needs more than this much address space (default 2048)",
        cxxopts::value<int>(), "MB")(
        "faust-lib", "a folder Faust programs import from, before Debian's /usr/share/faust (repeatable)",
        cxxopts::value<std::vector<std::string>>(), "DIR");
    cli.add("Supervision")(
        "timeout", "fail a job not done after this many seconds (0: never; default: 30 + 10 x its audio length); "
                   "loading the plugin first has an allowance of its own", cxxopts::value<double>(), "S")(
        "job-timeout", "the old name of --timeout", cxxopts::value<double>(), "S")(
        "load-timeout", "give loading the plugin S seconds beyond the job's limit (0: none; default: 120 the first "
                        "time a plugin loads in the run, then 10 + 5 x its load time)", cxxopts::value<double>(), "S")(
        "retries", "try a job whose plugin crashed, or whose load timed out, again, in a fresh worker, up to N times",
        cxxopts::value<int>()->default_value("0"), "N")(
        "max-rss", "replace the worker between jobs once its memory (RSS, its Windows workers' included) exceeds MB",
        cxxopts::value<double>()->default_value("0"), "MB")(
        "no-isolate", "render in this process, without a worker: a crash ends the run")(
        "warm", "keep a warm render-one (the plugin loaded, warmed and probed) for S seconds after this one, and "
                "run in it when one is up for the same plugin, options and environment (-p, Linux plugins)",
        cxxopts::value<double>(), "S")(
        "sandbox", "render every job in a sandbox (bubblewrap): no network, nothing writable but the output root, "
                   "the plugin's HOME and a private /tmp, users' files hidden, no process left behind (sandbox)")(
        "real-randomness", "give plugins libc's own randomness and wall clock (a Windows plugin, its C runtime's "
                           "and Windows'), not the ones each job's seed pins")(
        "check-reproducible", "render each plugin's probe again in a freshly started process and mark its records "
                              "reproducible true or false")(
        "no-cache", "neither read nor write the probe cache ($XDG_CACHE_HOME/vst-render): probe each plugin, and hash its binary, anew");
    cli.add("Defaults for fields a job lacks")(
        "note", "MIDI note (note)", cxxopts::value<int>()->default_value("60"), "N")(
        "velocity", "velocity 1-127 (velocity)", cxxopts::value<int>()->default_value("100"), "N")(
        "duration", "seconds the key is held (duration_s)", cxxopts::value<double>()->default_value("1"), "S")(
        "midi", "play this MIDI file instead of a note (midi_path)", cxxopts::value<std::string>(), "FILE")(
        "preset", "load this preset (.fxp .fxb .vstpreset .SerumPreset .vital, JUCE XML, DX7 .syx) before set_params "
                  "(preset_path)",
        cxxopts::value<std::string>(), "FILE")(
        "state", "load this plugin state before the preset (state_path)", cxxopts::value<std::string>(), "FILE")(
        "input", "feed this audio file to the plugin's main input (input_path): an effect's dry signal; the "
                 "render lasts its length, then the tail, and plays no note unless one is asked for",
        cxxopts::value<std::string>(), "FILE")(
        "sidechain", "feed this audio file to the plugin's sidechain bus (sidechain_path): a VST3 auxiliary input "
                     "or an LV2 second input group, from the first frame on",
        cxxopts::value<std::string>(), "FILE")(
        "sysex", "send this MIDI System Exclusive file's messages to the plugin before the render (sysex_path): a "
                 "DX7 cartridge or any synth's dump; the job fails when the plugin's state does not change",
        cxxopts::value<std::string>(), "FILE")(
        "downmix", "mix an input or sidechain file with more channels than its bus down, instead of failing "
                   "(downmix)")(
        "automation", "move parameters during the render (automation): JSON {\"index or name\": [[time_s, 0..1], "
                      "...]}, linear between points",
        cxxopts::value<std::string>(), "JSON")(
        "automation-step", "frames per sub-block while an automated value ramps (automation_step)",
        cxxopts::value<int>()->default_value(std::to_string(default_automation_step)), "N")(
        "automation-unit", "what automation times count: seconds, or beats (quarter notes, through the tempo map) "
                           "(automation_unit)",
        cxxopts::value<std::string>()->default_value("seconds"), "UNIT")(
        "bpm", "the host's tempo the plugin sees, 1-999 beats per minute; a MIDI file's own tempo map wins, and a "
               "given --bpm must match its first tempo (bpm)",
        cxxopts::value<std::string>()->default_value("120"), "N")(
        "time-signature", "the host's time signature, N/D; a MIDI file's own wins likewise (time_signature)",
        cxxopts::value<std::string>()->default_value("4/4"), "N/D")(
        "tracks", "render the MIDI file as a song (tracks), for a job with no plugin of its own: JSON {\"track "
                  "key\": [stage, ...]}, keys \"N\", \"name:NAME\" or \"channel:N\"; stems go to --stems-dir",
        cxxopts::value<std::string>(), "JSON")(
        "default-track", "the stages of a song's tracks no key selects (default_track): JSON [stage, ...]",
        cxxopts::value<std::string>(), "JSON")(
        "then", "append this plugin (an effect) to every job's chain: it processes the audio of the plugin before it "
                "(repeatable, in order)",
        cxxopts::value<std::vector<std::string>>(), "PLUGIN")(
        "midi-program-changes", "pass the MIDI file's program changes and bank selects on")(
        "sample-rate", "sample rate in Hz (sample_rate_hz)", cxxopts::value<int>()->default_value("48000"), "HZ")(
        "block-size", "frames per processing block (block_size)", cxxopts::value<int>()->default_value("512"), "N")(
        "channels", "1 or 2 output channels (channels)", cxxopts::value<int>()->default_value("2"), "N")(
        "sample-format", "pcm16, pcm24 or float32 (sample_format; default pcm24, float32 for .npy)",
        cxxopts::value<std::string>(), "FMT")(
        "flac-level", "FLAC compression level 0-8: higher is smaller and slower to encode, the audio the same "
                      "(flac_level)",
        cxxopts::value<int>()->default_value(std::to_string(default_flac_level)), "N")(
        "silence-db", "peak below which a render counts as silent; the level auto tails and --trim-silence "
                      "take as silence (silence_db)",
        cxxopts::value<double>()->default_value("-90"), "DB")(
        "isolation", "how a job is kept from the jobs before it: auto (probe the plugin), reset, fork, fresh, "
                     "restore (a Windows worker put back as its plugin loaded) or process (a Windows worker per "
                     "job) (isolation)",
        cxxopts::value<std::string>()->default_value("auto"), "MODE")(
        "seed", "where the plugin's randomness and wall clock start, 0-4294967295 (seed)",
        cxxopts::value<std::int64_t>()->default_value("0"), "N");
    cli.add("Length and shape of each render (job fields in parentheses)")(
        "tail", "seconds rendered after the note-off or the MIDI file's end, or auto: until silent (tail_s)",
        cxxopts::value<std::string>()->default_value("1"), "S|auto")(
        "silence-hold", "auto tail: ends after this many seconds below --silence-db (silence_hold_s)",
        cxxopts::value<double>()->default_value("0.2"), "S")(
        "max-tail", "auto tail: at most this many seconds (max_tail_s)",
        cxxopts::value<double>()->default_value("10"), "S")(
        "trim-silence", "cut leading and trailing audio below --silence-db (trim_silence)")(
        "trim-pad", "seconds of silence --trim-silence keeps on each side (trim_pad_s)",
        cxxopts::value<double>()->default_value("0.01"), "S")(
        "fade-out", "fade the last MS milliseconds out (fade_out_ms)", cxxopts::value<double>()->default_value("0"),
        "MS")(
        "normalize", "gain to reach lufs:LEVEL (integrated loudness) or peak:LEVEL (dBFS), or none (normalize)",
        cxxopts::value<std::string>()->default_value("none"), "HOW")(
        "true-peak-ceiling", "normalization lowers its gain to keep the true peak at or below this "
                             "(true_peak_ceiling_dbtp)",
        cxxopts::value<double>()->default_value("-1"), "DBTP")(
        "allow-nonfinite", "write NaN and Inf from the plugin as 0 and count them, instead of failing the job "
                           "(allow_nonfinite)")(
        "sidecar", "write each ok result record beside its output, as OUTPUT.json (implies --params)");
    cli.add("The plugin's editor")(
        "edit", "with -o or --job: show the plugin's editor on your display (DISPLAY), the job's program, preset, "
                "state and parameters applied, and wait until you close it; then write --save-state and "
                "--save-preset, and render from what the plugin holds")(
        "screenshots", "save a PNG picture of the plugin's editor, drawn on a virtual display of the run's "
                       "own, after each render beside its output, as OUTPUT.png (screenshot_path)")(
        "editor-first", "create the plugin's editor (on the run's virtual display) before its preset or state "
                        "loads, and keep it through the render (editor_first)");
}

namespace {

render_mode read_mode(const cli& cli) {
    const bool list = cli.has("list-programs"), programs = cli.has("export-programs"),
               bank = cli.has("export-bank"), explain = cli.has("explain-probe"), single = cli.has("output");
    if (int(list) + int(programs) + int(bank) + int(explain) > 1)
        cli::throw_usage("--list-programs, --export-programs, --export-bank and --explain-probe go one at a time");
    if ((list || programs || bank || explain) && (single || !cli.has("plugin")))
        cli::throw_usage("--list-programs, --export-programs, --export-bank and --explain-probe need --plugin PATH "
                         "and no --output");
    const bool one = single || cli.has("job");
    if (cli.has("save-state") && !one) cli::throw_usage("--save-state goes with -o or --job (one job)");
    if (cli.has("save-preset") && !one) cli::throw_usage("--save-preset goes with -o or --job (one job)");
    if (cli.has("edit") && (list || programs || bank || explain))
        cli::throw_usage("--edit shows one job: not with --list-programs, --export-programs, --export-bank or "
                         "--explain-probe");
    if (cli.has("job") && (single || list || programs || bank || explain))
        cli::throw_usage("--job is a batch of one job: not with -o, --list-programs, --export-programs or "
                         "--export-bank");
    if (cli.has("link") && !cli.has("job")) cli::throw_usage("--link goes with --job (one job's output)");
    return list      ? render_mode::list_programs
           : explain ? render_mode::explain_probe
           : programs ? render_mode::export_programs
           : bank ? render_mode::export_bank
           : single ? render_mode::single
                    : render_mode::batch;
}

double read_tail(const cli& cli, render_shape& s) {
    std::string tail = cli.get<std::string>("tail");
    if (tail == "auto") {
        s.tail_auto = true;
        return render_defaults{}.tail_s;
    }
    std::size_t used = 0;
    double v = NAN;
    try {
        v = std::stod(tail, &used);
    } catch (const std::exception&) {
    }
    if (used != tail.size() || !(v >= 0 && v <= max_seconds))
        cli::throw_usage("--tail must be auto or seconds between 0 and " + std::to_string(static_cast<int>(max_seconds)));
    return v;
}

void read_shape(const cli& cli, render_shape& s) {
    s.silence_db = cli.get_in_range("silence-db", -400.0, 0.0);
    s.silence_hold_s = cli.get_in_range("silence-hold", 0.0, max_seconds);
    s.max_tail_s = cli.get_in_range("max-tail", 0.0, max_seconds);
    s.trim_silence = cli.has("trim-silence");
    s.trim_pad_s = cli.get_in_range("trim-pad", 0.0, max_seconds);
    s.fade_out_ms = cli.get_in_range("fade-out", 0.0, max_seconds * 1000);
    try {
        s.normalize = parse_normalize(cli.get<std::string>("normalize"));
    } catch (const record_error& e) {
        cli::throw_usage(std::string("--normalize: ") + e.what());
    }
    s.true_peak_ceiling_dbtp = cli.get_in_range("true-peak-ceiling", -100.0, 0.0);
    s.allow_nonfinite = cli.has("allow-nonfinite");
}

std::optional<std::string> path_flag(const cli& cli, const char* name) {
    if (!cli.has(name)) return std::nullopt;
    return cli.get<std::string>(name);
}

// A flag whose value is JSON; not JSON: a usage error saying why.
json json_flag(const cli& cli, const char* name) {
    try {
        return json::parse(cli.get<std::string>(name));
    } catch (const json::exception& e) {
        // nlohmann's "[json.exception.parse_error.101] parse error at
        // line 1, column 2: why", or "[json.exception....] why".
        const std::string what = e.what();
        const auto colon = what.find(": "), tag_end = what.find("] ");
        cli::throw_usage(std::string("--") + name + ": not JSON: " +
                         (colon != std::string::npos     ? what.substr(colon + 2)
                          : tag_end != std::string::npos ? what.substr(tag_end + 2)
                                                         : what));
    }
}

// --tracks and --default-track, checked as a job's tracks are (their
// stage lists with --then's stages after them).
void read_song_flags(const cli& cli, render_defaults& d) {
    if (cli.has("tracks")) d.tracks = json_flag(cli, "tracks");
    if (cli.has("default-track")) d.default_track = json_flag(cli, "default-track");
    try {
        if (d.default_track) read_stage_list(*d.default_track, d.then_plugins, "default_track");
    } catch (const record_error& e) {
        cli::throw_usage(std::string("--default-track: ") + e.what());
    }
    try {
        render_job probe;
        if (d.tracks) read_song(json::object(), d, probe);
    } catch (const record_error& e) {
        cli::throw_usage(std::string("--tracks: ") + e.what());
    }
}

// --bpm, --time-signature, --automation-unit.
void read_tempo_flags(const cli& cli, render_defaults& d) {
    d.bpm = parse_bpm(cli.get<std::string>("bpm"), "--bpm");
    d.bpm_given = cli.has("bpm");
    d.sig = parse_time_signature(cli.get<std::string>("time-signature"), "--time-signature");
    d.sig_given = cli.has("time-signature");
    const auto unit = cli.get<std::string>("automation-unit");
    if (unit != "seconds" && unit != "beats")
        cli::throw_usage("--automation-unit: seconds or beats, not '" + unit + "'");
    d.automation_in_beats = unit == "beats";
}

render_defaults read_defaults(const cli& cli) {
    render_defaults d;
    d.note = cli.get_in_range("note", 0, 127);
    d.velocity = cli.get_in_range("velocity", 1, 127);
    d.duration_s = cli.get_in_range("duration", 0.0, max_seconds);
    d.midi_path = path_flag(cli, "midi");
    d.input_path = path_flag(cli, "input");
    d.sidechain_path = path_flag(cli, "sidechain");
    d.sysex_path = path_flag(cli, "sysex");
    d.downmix = cli.has("downmix");
    if (cli.has("automation")) {
        json value = json_flag(cli, "automation");
        try {
            d.moves = read_automation(value, "automation");
        } catch (const record_error& e) {
            cli::throw_usage(std::string("--automation: ") + e.what());
        }
    }
    d.automation_step = cli.get_in_range("automation-step", 1, max_automation_step);
    read_tempo_flags(cli, d);
    d.note_given = cli.has("note");
    if (cli.has("then")) d.then_plugins = cli.get<std::vector<std::string>>("then");
    read_song_flags(cli, d);
    d.preset_path = path_flag(cli, "preset");
    d.state_path = path_flag(cli, "state");
    d.output_root = path_flag(cli, "output-root");
    if (d.output_root && d.output_root->empty()) cli::throw_usage("--output-root: empty folder name");
    d.wine_prefix = path_flag(cli, "wine-prefix");
    d.screenshots = cli.has("screenshots");
    d.editor_first = cli.has("editor-first");
    if (d.wine_prefix && d.wine_prefix->empty()) cli::throw_usage("--wine-prefix: empty folder name");
    d.stems_dir = path_flag(cli, "stems-dir");
    if (d.stems_dir && d.stems_dir->empty()) cli::throw_usage("--stems-dir: empty folder name");
    d.sample_rate = cli.get_in_range("sample-rate", min_sample_rate, max_sample_rate);
    d.block_size = cli.get_in_range("block-size", 16, max_block_size);
    d.channels = cli.get_in_range("channels", 1, 2);
    if (cli.has("sample-format")) {
        try {
            d.format = parse_sample_format(cli.get<std::string>("sample-format"));
        } catch (const record_error& e) {
            cli::throw_usage(std::string("--sample-format: ") + e.what());
        }
    }
    d.flac_level = cli.get_in_range("flac-level", min_flac_level, max_flac_level);
    try {
        d.isolation = parse_isolation(cli.get<std::string>("isolation"));
    } catch (const record_error& e) {
        cli::throw_usage(std::string("--isolation: ") + e.what());
    }
    d.seed = static_cast<std::uint32_t>(cli.get_in_range<std::int64_t>("seed", 0, max_seed));
    d.tail_s = read_tail(cli, d.shape);
    read_shape(cli, d.shape);
    return d;
}

supervise_options read_supervision(const cli& cli) {
    supervise_options s;
    if (cli.has("timeout") && cli.has("job-timeout")) cli::throw_usage("--job-timeout is --timeout: give one");
    if (cli.has("timeout")) s.timeout_s = cli.get_in_range("timeout", 0.0, 1e6);
    if (cli.has("job-timeout")) s.timeout_s = cli.get_in_range("job-timeout", 0.0, 1e6);
    if (cli.has("load-timeout")) s.load_timeout_s = cli.get_in_range("load-timeout", 0.0, 1e6);
    s.retries = cli.get_in_range("retries", 0, 100);
    s.max_rss_mb = cli.get_in_range("max-rss", 0.0, 1e7);
    return s;
}

// Each flag that gives a job field its default, and that field.
constexpr std::pair<const char*, const char*> flag_fields[] = {
    {"note", "note"},
    {"velocity", "velocity"},
    {"duration", "duration_s"},
    {"midi", "midi_path"},
    {"input", "input_path"},
    {"sidechain", "sidechain_path"},
    {"sysex", "sysex_path"},
    {"downmix", "downmix"},
    {"automation", "automation"},
    {"automation-step", "automation_step"},
    {"automation-unit", "automation_unit"},
    {"bpm", "bpm"},
    {"time-signature", "time_signature"},
    {"preset", "preset_path"},
    {"state", "state_path"},
    {"output-root", "output_root"},
    {"wine-prefix", "wine_prefix"},
    {"stems-dir", "stems_dir"},
    {"tracks", "tracks"},
    {"default-track", "default_track"},
    {"sample-rate", "sample_rate_hz"},
    {"block-size", "block_size"},
    {"channels", "channels"},
    {"sample-format", "sample_format"},
    {"flac-level", "flac_level"},
    {"silence-db", "silence_db"},
    {"isolation", "isolation"},
    {"seed", "seed"},
    {"tail", "tail_s"},
    {"silence-hold", "silence_hold_s"},
    {"max-tail", "max_tail_s"},
    {"trim-silence", "trim_silence"},
    {"trim-pad", "trim_pad_s"},
    {"fade-out", "fade_out_ms"},
    {"normalize", "normalize"},
    {"true-peak-ceiling", "true_peak_ceiling_dbtp"},
    {"allow-nonfinite", "allow_nonfinite"},
    {"screenshots", "screenshot_path"},
    {"editor-first", "editor_first"},
};

// --sandbox: refused where a plugin would run outside it or write outside
// the output root; what every sandbox adds.
void read_sandbox(const cli& cli, render_options& o) {
    o.supervision.sandbox.plugin_home = o.plugin_home;
    o.supervision.sandbox.readable = o.worker.faust_libs;
    o.defaults.sandbox = cli.has("sandbox");
    if (!o.defaults.sandbox) return;
    if (!o.isolate) cli::throw_usage("--sandbox needs a worker process: not with --no-isolate");
    if (o.mode != render_mode::batch && o.mode != render_mode::single)
        cli::throw_usage("--sandbox renders jobs: not with --list-programs, --export-programs or --export-bank");
    // A batch's jobs bring their own output_root (assign-paths); one without
    // fails alone. -o's one job has none but the flag's.
    if (o.mode == render_mode::single && !o.defaults.output_root)
        cli::throw_usage("--sandbox needs an output root: --output-root DIR (the folder -o writes below)");
    if (!o.worker.save_state_path.empty() &&
        o.worker.save_state_path.rfind(absolute_path(*o.defaults.output_root) + "/", 0) != 0)
        cli::throw_usage("--save-state: with --sandbox the file must lie below --output-root");
    if (!o.worker.save_preset_path.empty() &&
        o.worker.save_preset_path.rfind(absolute_path(*o.defaults.output_root) + "/", 0) != 0)
        cli::throw_usage("--save-preset: with --sandbox the file must lie below --output-root");
}

// --edit: one job, shown on the user's display and waited for as long as
// the window stays; never sandboxed (the sandbox has no DISPLAY) nor in a
// warm render-one (which has no terminal's user behind it).
void read_edit(const cli& cli, render_options& o) {
    if (!cli.has("edit")) return;
    if (o.mode != render_mode::single && !o.job_line) cli::throw_usage("--edit shows one job: with -o or --job");
    if (o.defaults.sandbox) cli::throw_usage("--edit shows the editor on your display: not with --sandbox");
    if (cli.has("warm")) cli::throw_usage("--edit waits for you to close the editor: not with --warm");
    if (cli.has("screenshots"))
        cli::throw_usage("--edit shows the editor on your display, --screenshots draws it on the run's own: not both");
    if (cli.has("timeout") || cli.has("job-timeout"))
        cli::throw_usage("--edit waits for you to close the editor: not with --timeout");
    const char* display = std::getenv("DISPLAY");
    if (!display || !*display)
        throw fatal_error("--edit shows the plugin's editor on your display, and DISPLAY is not set");
    o.worker.edit = true;
    o.supervision.timeout_s = 0;
}

// --save-preset: the file's extension is the preset format of the plugin
// --plugin names (.fxp: a VST2 .so or .dll; .vstpreset: a .vst3); an LV2
// plugin's presets are bundles, not written (its state is: --save-state).
void read_save_preset(const cli& cli, render_options& o) {
    if (!cli.has("save-preset")) return;
    const std::string file = cli.get<std::string>("save-preset");
    if (!o.plugins.has_default()) cli::throw_usage("--save-preset needs --plugin PATH, whose format it writes");
    plugin_ref plugin;
    try {
        plugin = o.plugins.default_plugin();
    } catch (const record_error&) {
        return;  // no such plugin: the job fails saying so
    }
    auto ends_with = [](const std::string& s, const char* tail) {
        const std::size_t n = std::strlen(tail);
        return s.size() >= n && s.compare(s.size() - n, n, tail) == 0;
    };
    const char* want = plugin.format == plugin_format::vst2   ? ".fxp"
                       : plugin.format == plugin_format::vst3 ? ".vstpreset"
                                                              : nullptr;
    if (!want)
        cli::throw_usage("--save-preset writes VST2 and VST3 presets; an LV2 plugin's state goes to --save-state, "
                         "a Faust program has none");
    if (!ends_with(file, want))
        cli::throw_usage(std::string("--save-preset ") + file + ": a " +
                         (plugin.format == plugin_format::vst2 ? "VST2" : "VST3") + " plugin's preset is a " + want +
                         " file");
    o.worker.save_preset_path = absolute_path(file);
}

}  // namespace

render_options read_render_options(const cli& cli) {
    if (!cli.operands().empty()) cli::throw_usage("render-one reads job records on standard input; it takes no operands");
    render_options o;
    o.mode = read_mode(cli);
    if (cli.has("plugin"))
        for (const auto& p : cli.get<std::vector<std::string>>("plugin")) o.plugins.add(p);
    o.defaults = read_defaults(cli);
    o.supervision = read_supervision(cli);
    o.isolate = !cli.has("no-isolate");
    if (cli.has("warm")) o.warm_s = cli.get_in_range("warm", 0.0, 86400.0);
    o.probe_cache = !cli.has("no-cache");
    o.skip_existing = cli.has("skip-existing");
    o.sidecar = cli.has("sidecar");
    o.worker.midi_program_changes = cli.has("midi-program-changes");
    // In place, only jobs rendered in a forked child can be stopped.
    if (!o.isolate) o.worker.job_timeout_s = std::max(0.0, o.supervision.timeout_s);
    o.worker.ignore_plugin_id = cli.has("ignore-plugin-id");
    if (cli.has("faust-voices")) o.worker.faust_voices = cli.get_in_range("faust-voices", 0, 128);
    if (cli.has("faust-max-mb")) o.worker.faust_max_mb = cli.get_in_range("faust-max-mb", 16, 1 << 20);
    if (cli.has("faust-lib"))
        for (const auto& d : cli.get<std::vector<std::string>>("faust-lib")) o.worker.faust_libs.push_back(absolute_path(d));
    o.worker.real_randomness = cli.has("real-randomness");
    o.worker.check_reproducible = cli.has("check-reproducible");
    o.worker.report_params = cli.has("params") || o.sidecar;
    if (cli.has("save-state")) o.worker.save_state_path = absolute_path(cli.get<std::string>("save-state"));
    read_save_preset(cli, o);
    if (o.mode == render_mode::single) {
        o.output_path = absolute_path(cli.get<std::string>("output"));
        o.worker.one_job = true;
        // -o's one job is the song: a flag for a job's one plugin would go unused.
        if (o.defaults.tracks)
            for (const char* flag : {"plugin", "preset", "state", "sidechain", "sysex", "automation"})
                if (cli.has(flag) && (std::string(flag) != "plugin" || o.plugins.has_default()))
                    cli::throw_usage(std::string("-o with --tracks renders a song, whose plugins are in the "
                                                 "tracks' stage lists: --") + flag + " has no job to go to");
    }
    if (cli.has("job") && (o.job_line = cli.get<std::string>("job"))->find('\n') != std::string::npos)
        cli::throw_usage("--job takes one job as one line: its JSON holds a newline");
    if (cli.has("records")) o.records_path = absolute_path(cli.get<std::string>("records"));
    if (cli.has("link")) o.link_path = absolute_path(cli.get<std::string>("link"));
    if (o.mode == render_mode::export_programs) o.export_path = absolute_path(cli.get<std::string>("export-programs"));
    if (o.mode == render_mode::export_bank) o.export_path = absolute_path(cli.get<std::string>("export-bank"));
    o.export_params = cli.has("export-params");
    if (cli.has("plugin-home")) o.plugin_home = absolute_path(cli.get<std::string>("plugin-home"));
    read_sandbox(cli, o);
    read_edit(cli, o);
    for (const auto& [flag, field] : flag_fields)
        if (cli.has(flag)) o.field_flags.emplace_back(flag, field);
    return o;
}

}  // namespace vr
