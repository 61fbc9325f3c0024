// SPDX-License-Identifier: GPL-3.0-or-later
// One loaded plugin, behind an interface that does not show JUCE, so that the
// rest of render-one compiles without it: hosted here through JUCE
// (plugin_instance::load, host/plugin_impl.hpp), or in a Windows worker
// under wine (wine/windows_instance.hpp) whose server is this same JUCE code
// built for Windows (host/instance_server.hpp). Every call must come from
// the thread that created the juce_runtime (the main thread).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "audio/file.hpp"
#include "jobs/automation.hpp"
#include "jobs/job.hpp"
#include "midi/play_plan.hpp"
#include "presets/load.hpp"
#include "preview/images.hpp"

namespace vr::host {

// JUCE started as a console program: the message manager lives on this
// thread. Exactly one, created before any plugin and outliving them all.
class juce_runtime {
public:
    juce_runtime();
    ~juce_runtime();
    juce_runtime(const juce_runtime&) = delete;
    juce_runtime& operator=(const juce_runtime&) = delete;

private:
    struct impl;
    std::unique_ptr<impl> p_;
};

// The record's plugin_platform of a plugin hosted by this build: host/ is
// built for Linux and, as the Windows worker, for Windows.
#ifdef _WIN32
inline constexpr const char* this_platform = windows_platform;
#else
inline constexpr const char* this_platform = linux_platform;
#endif

// What was loaded, for the result records.
struct plugin_info {
    std::string name;
    std::string format;   // vst2 vst3 lv2
    std::string version;
    std::string id;       // VST2 fxID (4 characters or 0x...), VST3 class id (32 hex digits), LV2 URI
    int latency_samples = 0;
    int input_channels = 0;   // audio inputs, all buses
    int output_channels = 0;
    int main_input_channels = 0;  // the main input bus's, where an input file goes (0: none)
    int sidechain_channels = 0;   // the sidechain bus's, switched on at load (0: none asked for)
    bool accepts_midi = false;
    std::string buses;  // every bus, for messages: "input buses: 'In' (Stereo); output buses: ..."
    std::string platform;      // where it runs: "linux-x86_64", "windows-x86_64" (plugin_platform)
    std::string wine_version;  // the wine that runs it ("wine-8.0 ..."), empty for a native plugin

};

// What a render measured besides its samples.
struct render_stats {
    double process_s = 0;           // wall time inside the plugin's process calls
    std::int64_t tail_frames = 0;   // frames rendered after plan.frames (an auto tail)
    bool tail_capped = false;       // the auto tail reached its maximum before silence
};

// What a render feeds the plugin besides the plan's MIDI, each from the
// first frame on (silence after its end), at the plugin's rate.
struct render_feed {
    const audio_buffer* input = nullptr;      // the main input bus's channels
    const audio_buffer* sidechain = nullptr;  // the sidechain bus's channels
    const automation* moves = nullptr;        // parameters moved during the render
    int automation_step = default_automation_step;
    bool moves_in_beats = false;  // the automation's times are quarter notes on the plan's transport
};

// One parameter as read back from the plugin.
struct param_reading {
    int index = 0;
    std::string name;
    double value = 0;
    std::string text;
};

// How long editor_picture waits, beyond the time it is given, for an
// editor whose window holds no more than two colours to draw.
inline constexpr double editor_undrawn_wait_s = 5.0;
// How long an editor's window holds still, once it changed, before its
// picture is taken: what it drew in steps (a timer of 20 Hz or more) is
// all there by then.
inline constexpr double editor_still_s = 0.05;

// An open editor's picture taken in steps of the message loop
// (x11_view::drawn_picture), so that one loop draws several pictures at
// once (worker/picture_queue.hpp): step says, after the loop ran ran_s
// more seconds (run_editor_messages), whether the picture is taken, and
// throws record_error as editor_picture does; take gives it.
class editor_drawing {
public:
    virtual ~editor_drawing() = default;
    virtual bool step(double ran_s) = 0;
    virtual rgb_image take() = 0;
};

// Runs the message loop of this process's open editors for seconds.
void run_editor_messages(double seconds);

class plugin_instance {
public:
    // Loads the plugin, switches its main input and output buses on (JUCE's
    // hosts leave a bus the plugin calls optional off), and with sidechain
    // its second input bus (a VST3 auxiliary input, an LV2 second input
    // group), and prepares it for sample_rate and block_size; throws
    // record_error saying why it could not (no output, no sidechain bus: the
    // error names the plugin's buses). skip_program_walk spares a VST2
    // plugin JUCE's walk through all its programs (linux/vst2_start.hpp):
    // only for an instance that will play its first program as it is.
    // This is the JUCE host of this process; a Windows plugin's instance
    // comes from wine/windows_instance.hpp.
    static std::unique_ptr<plugin_instance> load(const plugin_ref& ref, int sample_rate, int block_size,
                                                 bool skip_program_walk = false, bool sidechain = false);
    virtual ~plugin_instance() = default;
    // False once the process that hosts it is gone (a Windows worker whose
    // plugin crashed): every call would fail.
    virtual bool usable() const { return true; }

    virtual const plugin_info& info() const = 0;
    virtual int program_count() const = 0;
    virtual std::string program_name(int index) const = 0;
    virtual int current_program() const = 0;
    // Selects one of the plugin's own programs; throws record_error when the
    // index is out of range or the plugin does not take it.
    virtual void select_program(int index) = 0;
    // Sets a parameter, named by its index ("3"), name or id, to a normalised
    // value and returns its index; throws record_error, starting with
    // `field`, when the plugin has no such parameter.
    virtual int set_parameter(const std::string& key, double value, const char* field = "set_params") = 0;
    // Hands a preset lib/preset_load checked to the plugin the way its
    // format takes it; returns how (preset_applied_as). Throws record_error
    // naming the file when this plugin cannot take it.
    virtual std::string apply_preset(const loaded_preset& preset) = 0;
    // The plugin's whole state as its format's host saves it (JUCE's
    // getStateInformation: an .fxb for VST2, a VC2! blob for VST3).
    virtual std::vector<std::uint8_t> state() const = 0;
    // The program as a preset file of the plugin's format: an .fxp for VST2
    // (FPCh when it uses chunks and as_params is false, else FxCk), a
    // .vstpreset for VST3; throws record_error for LV2.
    virtual std::vector<std::uint8_t> program_preset(bool as_params = false) const = 0;
    // All the programs of a VST2 plugin as an .fxb: FBCh (its bank chunk)
    // when it uses chunks, else FxBk with every program's values. Throws
    // record_error for other formats.
    virtual std::vector<std::uint8_t> bank_preset() = 0;
    // Every parameter, read back.
    virtual std::vector<param_reading> read_params() const = 0;
    // Every parameter's normalised value as the plugin holds it now, in
    // index order (no texts: cheap enough for every job).
    virtual std::vector<float> param_values() const = 0;
    // Every parameter's name, in index order.
    virtual std::vector<std::string> param_names() const = 0;
    // The plugin's reset (JUCE's: power cycle for VST2, flush for others).
    virtual void reset() = 0;
    // Plays the plan and returns plan.frames frames of `channels` channels
    // (1: stereo mixed down; 2: a mono plugin copied to both), the plugin's
    // reported latency rendered and dropped from the start. A plan with
    // until_silence goes on, block by block, until its tail is silent or
    // capped (its frames then follow the plan's). feed's audio goes to its
    // buses; its automation splits a block into sub-blocks of at most
    // automation_step frames while a value ramps, each with the value at
    // its first frame (the values at frame 0 must be set already: a
    // parameter is only set again when its value changes). Fills stats when
    // given; throws record_error for an automated parameter it lacks. The
    // plugin's play head says the plan's transport at each block's start,
    // and a block is split where the tempo or time signature changes.
    virtual audio_buffer render(const play_plan& plan, int channels, const render_feed& feed = {},
                                render_stats* stats = nullptr) = 0;

    // The plugin's own editor (render-one(1), "Editors and pictures"), in
    // a window of the host's at the top left of the display DISPLAY names,
    // titled and closable when titled is set (a user's display, where it
    // is centred), bare otherwise (a virtual one). Returns once the plugin
    // shows its own window in it, with timeout_s to do so; throws
    // record_error when the plugin has no editor, its window never shows in
    // time, or this host cannot show one (a Faust program). Once an
    // instance. A Windows plugin's editor is made by the Windows worker
    // under wine, which draws it on the same display. A timeout_s below 0
    // returns once the window is made, shown or not
    // (editor_shows_plugin says when it is).
    virtual void open_editor(bool titled, double timeout_s);
    // Whether the plugin says it has an editor this host can show.
    virtual bool has_editor() { return false; }
    // The open editor's window's pixels once its message loop has drawn
    // what changed (x11_view::capture_drawn: held still editor_still_s
    // after changing, else draw_s), and while they hold no more than two
    // colours (an editor not drawn yet), up to editor_undrawn_wait_s more.
    virtual rgb_image editor_picture(double draw_s);
    // The same picture taken in steps: what the job set is drawn as
    // run_editor_messages runs. With kept_apart (the windows' pixels kept
    // apart: x11_view::keep_windows_apart), the window is read only when
    // the X server says it changed; with just_shown (an editor whose window
    // has just shown for the first time), what it shows counts as a
    // change. Null where a picture is only taken whole (a Windows
    // plugin's, drawn by the Windows worker's own loop).
    virtual std::unique_ptr<editor_drawing> start_editor_picture(double, bool, bool) { return nullptr; }
    // Runs the open editor's message loop until its window is closed (a
    // user's click on its close button, or the window gone).
    virtual void run_editor_until_closed();
    // Closes the editor, if open (the instance's destructor does too).
    virtual void close_editor();
    // The Windows worker's part of an editor under wine, asked for by the
    // Linux side (wine/windows_instance.cpp), which reads the pixels: the X
    // window wine made for the open editor's window (0: none), and the
    // editor's message loop run for seconds (its windows asked to draw
    // again first when redraw), saying whether its window is still open.
    virtual unsigned long editor_x11_window() { return 0; }
    virtual bool run_editor_for(double seconds, bool redraw);
    // Whether the open editor's window shows a window of the plugin's own
    // (one it hides leaves only the host's pixels to read).
    virtual bool editor_shows_plugin() { return false; }
};

}  // namespace vr::host
