// SPDX-License-Identifier: GPL-3.0-or-later
// host/instance_wire.hpp's messages through a file: each message read back
// as written, whatever came before it (the buffers are kept from one
// message to the next, and a long answer followed by a short one must not
// leave the first's bytes in the second), and a stream cut short inside a
// message is an error, not a shorter message.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "core/error.hpp"
#include "host/instance_wire.hpp"

namespace {

using file_ptr = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

vr::audio_buffer ramp(int frames, float from) {
    vr::audio_buffer a;
    a.channels = 2;
    a.sample_rate = 48000;
    a.samples.resize(static_cast<std::size_t>(frames) * 2);
    for (std::size_t i = 0; i < a.samples.size(); ++i) a.samples[i] = from + static_cast<float>(i) * 1e-6f;
    return a;
}

TEST(InstanceWire, MessagesOfEverySizeReadBackAsWritten) {
    file_ptr f(std::tmpfile(), &std::fclose);
    ASSERT_TRUE(f);
    // Long, short, longer, empty audio, short again: each after another size.
    const std::vector<int> frames = {48000, 10, 144000, 0, 512};
    std::vector<vr::json> sent;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        sent.push_back(vr::json{{"ok", {{"audio", vr::host::to_wire(ramp(frames[i], static_cast<float>(i)))},
                                        {"n", static_cast<int>(i)}}}});
        ASSERT_TRUE(vr::host::write_message(f.get(), sent.back()));
    }
    std::rewind(f.get());
    for (std::size_t i = 0; i < frames.size(); ++i) {
        std::optional<vr::json> got = vr::host::read_message(f.get());
        ASSERT_TRUE(got) << "message " << i;
        EXPECT_EQ(*got, sent[i]) << "message " << i;
        const vr::audio_buffer audio = vr::host::audio_from_wire(got->at("ok").at("audio"));
        EXPECT_EQ(audio.samples, ramp(frames[i], static_cast<float>(i)).samples) << "message " << i;
    }
    EXPECT_FALSE(vr::host::read_message(f.get()));  // the end, between messages
}

TEST(InstanceWire, AStreamCutInsideAMessageIsAnError) {
    file_ptr whole(std::tmpfile(), &std::fclose);
    ASSERT_TRUE(whole);
    ASSERT_TRUE(vr::host::write_message(whole.get(), vr::json{{"audio", vr::host::to_wire(ramp(4800, 0.5f))}}));
    const long size = std::ftell(whole.get());
    std::rewind(whole.get());
    std::vector<char> bytes(static_cast<std::size_t>(size));
    ASSERT_EQ(std::fread(bytes.data(), 1, bytes.size(), whole.get()), bytes.size());
    // A long message first, so that the buffer already holds more bytes
    // than the cut message brings.
    file_ptr f(std::tmpfile(), &std::fclose);
    ASSERT_TRUE(f);
    ASSERT_TRUE(vr::host::write_message(f.get(), vr::json{{"audio", vr::host::to_wire(ramp(48000, 0.25f))}}));
    ASSERT_EQ(std::fwrite(bytes.data(), 1, bytes.size() - 100, f.get()), bytes.size() - 100);
    std::rewind(f.get());
    ASSERT_TRUE(vr::host::read_message(f.get()));
    EXPECT_THROW(vr::host::read_message(f.get()), vr::fatal_error);
}

}  // namespace
