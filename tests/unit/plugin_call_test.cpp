// SPDX-License-Identifier: GPL-3.0-or-later
// call_plugin (host/plugin_call.hpp): a call runs inside its instance's
// context until a worker says renders are over, then outside it (the calls
// that destroy a worker's last instances), and inside again once a worker
// says they may come again.
#include <gtest/gtest.h>

#include "host/plugin_call.hpp"

namespace {

using vr::host::call_plugin;
using vr::host::plugin_context;
using vr::host::set_renders_over;

vr::plugin_clock* clock_seen(plugin_context& context, bool renders = false) {
    return call_plugin(context, [] { return vr::clock_inside(); }, renders);
}

TEST(PluginCall, ACallIsInsideItsInstanceUntilRendersAreOver) {
    plugin_context context(48000);
    EXPECT_EQ(clock_seen(context), &context.clock);
    EXPECT_TRUE(call_plugin(context, [] { return vr::rendering_inside(); }, true));
    set_renders_over(true);
    EXPECT_EQ(clock_seen(context), nullptr);
    EXPECT_EQ(clock_seen(context, true), nullptr);
    set_renders_over(false);
    EXPECT_EQ(clock_seen(context), &context.clock);
    EXPECT_EQ(vr::clock_inside(), nullptr);
}

TEST(PluginCall, ACallReturnsWhatItReturnsEitherWay) {
    plugin_context context(44100);
    EXPECT_EQ(call_plugin(context, [] { return 42; }), 42);
    set_renders_over(true);
    EXPECT_EQ(call_plugin(context, [] { return 43; }), 43);
    set_renders_over(false);
}

}  // namespace
