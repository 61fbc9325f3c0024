// SPDX-License-Identifier: GPL-3.0-or-later
#include "host/block_render.hpp"

#include <pluginterfaces/vst/ivstaudioprocessor.h>
#include <pluginterfaces/vst/ivstcomponent.h>
// fst-dev's free VST2 header completes the ::AEffect JUCE's VST2 client
// extension hands out, for its initialDelay.
#define FST2VST 1
#include <pluginterfaces/fst/fst.h>  // its #warnings: host.mk passes -Wno-cpp

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/memory.hpp"

namespace vr::host {

namespace {

// JUCE's hosts learn of a new latency through requests a plugin may post
// asynchronously (never delivered in a forked child): ask the plugin itself,
// through the interface found once a render. JUCE's getExtensions finds the
// plugin's module again by its path at every call (about 5% of a forked
// VST3 job's CPU when it was asked twice a block; perf, 2026-11-26).
class latency_reader final : juce::ExtensionsVisitor {
public:
    explicit latency_reader(juce::AudioPluginInstance& plugin) : plugin_(plugin) { plugin.getExtensions(*this); }
    ~latency_reader() override {
        if (processor_) processor_->release();
    }
    latency_reader(const latency_reader&) = delete;
    latency_reader& operator=(const latency_reader&) = delete;

    // The latency the plugin reports now, in frames.
    int now() const {
        if (processor_) return static_cast<int>(processor_->getLatencySamples());
        if (effect_) return effect_->initialDelay;
        return plugin_.getLatencySamples();
    }

private:
    void visitVST3Client(const VST3Client& client) override {
        auto* component = client.getIComponentPtr();
        if (!component) return;
        void* found = nullptr;
        if (component->queryInterface(Steinberg::Vst::IAudioProcessor::iid, &found) == Steinberg::kResultOk && found)
            processor_ = static_cast<Steinberg::Vst::IAudioProcessor*>(found);
    }
    void visitVSTClient(const VSTClient& client) override { effect_ = client.getAEffectPtr(); }

    juce::AudioPluginInstance& plugin_;
    Steinberg::Vst::IAudioProcessor* processor_ = nullptr;
    const AEffect* effect_ = nullptr;
};

// Frames [pos, pos + len) of the audio, de-interleaved into the buffer's
// channels from `first` on (a bus's channels); silence past its end.
void feed_bus(const audio_buffer& audio, std::int64_t pos, int len, int first, int channels,
              juce::AudioBuffer<float>& buffer) {
    const auto frames = static_cast<std::int64_t>(audio.frames());
    const int n = static_cast<int>(std::clamp<std::int64_t>(frames - pos, 0, len));
    if (n == 0) return;
    for (int c = 0; c < channels; ++c) {
        float* out = buffer.getWritePointer(first + c);
        const float* in = audio.samples.data() + pos * audio.channels + c;
        for (int i = 0; i < n; ++i) out[i] = in[static_cast<std::ptrdiff_t>(i) * audio.channels];
    }
}

// The plan's transport as the plugin asks its host for it: JUCE's hosts read
// it at each process call's start (VST2's audioMasterGetTime, VST3's
// ProcessContext, LV2's time:Position at the block's frame 0). No host
// time: VST3's systemTime and VST2's nanoseconds are not marked valid, so a
// plugin never reads the real clock through its play head.
class plan_play_head final : public juce::AudioPlayHead {
public:
    explicit plan_play_head(const transport_map& transport) : transport_(transport) {}
    std::int64_t frame = 0;

    juce::Optional<PositionInfo> getPosition() const override {
        const transport_position at = transport_.at(frame);
        PositionInfo info;
        info.setTimeInSamples(at.frame);
        info.setTimeInSeconds(at.seconds);
        info.setBpm(at.bpm);
        info.setTimeSignature(TimeSignature{at.sig.numerator, at.sig.denominator});
        info.setPpqPosition(at.ppq);
        info.setPpqPositionOfLastBarStart(at.bar_start_ppq);
        info.setBarCount(at.bar);
        info.setIsPlaying(true);
        return info;
    }

private:
    const transport_map& transport_;
};

// The play head is the plugin's for one render: taken back however it ends.
struct play_head_lent {
    juce::AudioPluginInstance& plugin;
    play_head_lent(juce::AudioPluginInstance& p, juce::AudioPlayHead* head) : plugin(p) { plugin.setPlayHead(head); }
    ~play_head_lent() { plugin.setPlayHead(nullptr); }
    play_head_lent(const play_head_lent&) = delete;
    play_head_lent& operator=(const play_head_lent&) = delete;
};

// Automation given in beats, as seconds through the transport's tempo map.
automation in_seconds(const automation& moves, const transport_map& transport) {
    automation out = moves;
    for (auto& lane : out)
        for (auto& point : lane.points) point.time_s = transport.seconds_at_ppq(point.time_s);
    return out;
}

// An automated parameter: where it is on its lane, and the value it was
// last given (the value at frame 0 was set before the render).
struct moving_param {
    juce::AudioProcessorParameter* param;
    lane_cursor cursor;
    float last;
};

}  // namespace

audio_buffer render_blocks(juce_plugin& p, const play_plan& plan, int channels, const render_feed& feed,
                           render_stats* stats) {
    auto& plugin = *p.plugin;
    const int outs = plugin.getTotalNumOutputChannels();
    const int width = std::max({plugin.getTotalNumInputChannels(), outs, 1});
    const int rate = static_cast<int>(plugin.getSampleRate());
    // A plugin may change its latency while playing (a parameter set for the
    // job reaches it with the first block; VST3 and LV2 report it after a
    // block): render until the last value reported is covered, then cut it.
    const std::int64_t max_latency = static_cast<std::int64_t>(rate) * 10;
    const latency_reader reported(plugin);
    auto latency = [&] { return std::clamp<std::int64_t>(reported.now(), 0, max_latency); };

    const transport_map transport = plan.transport.at_rate(rate);
    plan_play_head head(transport);
    const play_head_lent lent(plugin, &head);

    std::vector<moving_param> moving;
    automation beats_moved;
    const automation* moves = feed.moves;
    if (moves && feed.moves_in_beats) moves = &(beats_moved = in_seconds(*moves, transport));
    if (moves)
        for (const auto& lane : *moves) {
            lane_cursor cursor(lane, rate);
            const auto first = static_cast<float>(cursor.value_at(0));
            moving.push_back({find_parameter(p, lane.key, "automation"), std::move(cursor), first});
        }
    const int step = std::max(1, feed.automation_step);

    // Rendered straight into the buffer handed back: a second copy would
    // cost a page fault per page in a forked child.
    audio_buffer out;
    out.channels = channels;
    out.sample_rate = rate;
    std::vector<float>& rendered = out.samples;
    rendered.reserve(static_cast<std::size_t>(plan.frames + latency()) * channels);
    map_ahead(rendered.data(), rendered.capacity() * sizeof(float));
    juce::AudioBuffer<float> buffer(width, p.block_size);
    juce::MidiBuffer midi;
    std::size_t next = 0;
    std::int64_t pos = 0;
    double process_s = 0;
    const int in_channels = feed.input ? std::min(feed.input->channels, p.info.main_input_channels) : 0;
    const int side_channels = feed.sidechain ? std::min(feed.sidechain->channels, p.info.sidechain_channels) : 0;
    auto process = [&](int len) {
        buffer.setSize(width, len, false, false, true);
        buffer.clear();
        if (in_channels) feed_bus(*feed.input, pos, len, 0, in_channels, buffer);
        if (side_channels) feed_bus(*feed.sidechain, pos, len, p.sidechain_offset, side_channels, buffer);
        midi.clear();
        for (; next < plan.messages.size() && plan.messages[next].frame < pos + len; ++next) {
            const auto& m = plan.messages[next];
            midi.addEvent(m.bytes.data(), static_cast<int>(m.bytes.size()),
                          static_cast<int>(std::max<std::int64_t>(0, m.frame - pos)));
        }
        head.frame = pos;
        auto started = std::chrono::steady_clock::now();
        // The block's frames move the instance's clock on once it is played.
        call_plugin(p.context, [&] {
            plugin.processBlock(buffer, midi);
            p.context.clock.played(len);
        }, true);
        process_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

        const float* left = buffer.getReadPointer(0);
        const float* right = buffer.getReadPointer(outs > 1 ? 1 : 0);
        for (int i = 0; i < len; ++i) {
            if (channels == 1) {
                rendered.push_back(outs > 1 ? 0.5f * (left[i] + right[i]) : left[i]);
            } else {
                rendered.push_back(left[i]);
                rendered.push_back(right[i]);
            }
        }
        pos += len;
    };
    // A block is split where an automated value changes, each piece
    // starting with the values at its first frame, and where the tempo or
    // time signature changes, so that the change lands on its frame.
    auto render_block = [&](int len) {
        const std::int64_t end = pos + len;
        while (pos < end) {
            std::int64_t until = std::min(end, transport.next_change(pos).value_or(end));
            for (auto& m : moving) {
                const auto v = static_cast<float>(m.cursor.value_at(pos));
                if (v != m.last) {
                    call_plugin(p.context, [&] { m.param->setValue(v); });
                    m.last = v;
                }
                until = std::min(until, m.cursor.next_split(pos, step));
            }
            process(static_cast<int>(until - pos));
        }
    };
    render_begins();
    while (pos < plan.frames + latency())
        render_block(static_cast<int>(std::min<std::int64_t>(p.block_size, plan.frames + latency() - pos)));

    std::int64_t skip_frames = latency();
    std::int64_t want_frames = plan.frames;
    if (plan.until_silence) {
        // Scan the output (latency cut) from the plan's end; whole blocks
        // are rendered as needed, so the same job always stops alike.
        const auto& tail = *plan.until_silence;
        const double threshold = std::pow(10.0, tail.silence_db / 20.0);
        std::int64_t at = plan.frames, quiet = 0;
        bool capped = false;
        for (;;) {
            if (quiet >= tail.hold_frames) break;
            if (at - plan.frames >= tail.max_frames) {
                capped = true;
                break;
            }
            if (at + skip_frames >= pos) {
                render_block(p.block_size);
                continue;
            }
            bool loud = false;
            for (int c = 0; c < channels; ++c) {
                float x = rendered[static_cast<std::size_t>((at + skip_frames) * channels + c)];
                if (!(std::fabs(x) < threshold)) loud = true;  // NaN counts as loud
            }
            quiet = loud ? 0 : quiet + 1;
            ++at;
        }
        want_frames = at;
        if (stats) {
            stats->tail_frames = at - plan.frames;
            stats->tail_capped = capped;
        }
    }
    if (stats) stats->process_s = process_s;

    auto skip = static_cast<std::size_t>(skip_frames) * channels;
    auto want = static_cast<std::size_t>(want_frames) * channels;
    skip = std::min(skip, rendered.size());
    rendered.erase(rendered.begin(), rendered.begin() + static_cast<std::ptrdiff_t>(skip));
    rendered.resize(want, 0.0f);
    return out;
}

}  // namespace vr::host
