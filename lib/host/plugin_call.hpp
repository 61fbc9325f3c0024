// SPDX-License-Identifier: GPL-3.0-or-later
// Every call the worker makes into a plugin instance goes through
// call_plugin, on the instance's own plugin_context: its factory and
// constructor, state load and read-back, program change, parameter set,
// prepareToPlay, reset and every process call. What the plugin sees of the
// process during such a call is then the instance's, not the process's:
// its monotonic clocks read the instance's virtual clock (core/
// plugin_clock.hpp), on this thread only. On Linux, what the call
// allocates on this thread comes from the plugin arena (linux/
// plugin_arena.hpp) and the call runs on the fixed stack (linux/
// fixed_stack.hpp); on Windows, what the plugin's modules allocate
// during the call comes from the Windows worker's plugin arena (windows/
// pinned_heap.hpp, which asks clock_inside()) and the stack below the
// entry is zeroed (windows/plugin_stack.hpp): the addresses the plugin
// sees and the memory it never wrote are the same in every process.
// Nothing else of the worker's changes, and the plugin's own threads keep
// the real clock and the real heap.
#pragma once
#include <atomic>
#include <exception>
#include <utility>

#include "core/plugin_clock.hpp"
#ifdef _WIN32
#include "windows/plugin_stack.hpp"
#else
#include "linux/fixed_stack.hpp"
#include "linux/plugin_arena.hpp"
#endif

namespace vr::host {

// What belongs to one instance for the calls into it.
struct plugin_context {
    explicit plugin_context(int sample_rate) : clock(sample_rate) {}
    plugin_clock clock;
};

namespace detail {
inline std::atomic<bool> renders_over{false};
}

// Says that nothing renders in this process any more (true: a worker that
// ends, before it destroys its instances) or that it may again (false: a
// worker that starts). Meanwhile call_plugin runs calls outside their
// instance's context, as any host would: what the plugin does as it is
// destroyed then reaches no job's audio, and pinned, it cost the caller
// the rests of linux/pinned_clocks.cpp (a JUCE plugin's message thread
// told to stop: about 0.25 ms of CPU a one-off here).
inline void set_renders_over(bool over) noexcept { detail::renders_over.store(over, std::memory_order_relaxed); }
inline bool renders_are_over() noexcept { return detail::renders_over.load(std::memory_order_relaxed); }

// A render begins (host/block_render.cpp): on Windows its first block is
// entered as any call is (windows/plugin_stack.hpp), later ones with only
// the top of the stack zeroed.
inline void render_begins() noexcept {
#ifdef _WIN32
    windows::render_begins();
#endif
}

// Runs f() (the call into the plugin) inside the instance's context and
// returns what it returns; renders says it is a process call (a call that
// renders no audio lets the plugin's other threads rest before each clock
// reading: linux/pinned_clocks.cpp). Once renders are over, f() as it is.
template <typename F>
decltype(auto) call_plugin(plugin_context& context, F&& f, bool renders = false) {
    if (detail::renders_over.load(std::memory_order_relaxed)) return std::forward<F>(f)();
    inside_plugin inside(context.clock, renders);
#ifdef _WIN32
    windows::scrub_stack(renders);
    struct returned {
        bool block;
        ~returned() { windows::call_returned(block && std::uncaught_exceptions() == 0); }
    } on_return{renders};
    return std::forward<F>(f)();
#else
    start_arena();  // once a process
    in_arena_scope arena;
    return on_fixed_stack(f);
#endif
}

}  // namespace vr::host
