// SPDX-License-Identifier: GPL-3.0-or-later
#include "host/instance_wire.hpp"

#include <cstring>

#include "core/error.hpp"
#include "host/wire_cbor.hpp"

namespace vr::host {

namespace {

json::binary_t as_binary(const void* data, std::size_t size) {
    const auto* b = static_cast<const std::uint8_t*>(data);
    return json::binary_t(std::vector<std::uint8_t>(b, b + size));
}

const std::vector<std::uint8_t>& binary_of(const json& j) {
    if (!j.is_binary()) throw fatal_error("the plugin host's answer holds no bytes where it should");
    return j.get_binary();
}

}  // namespace

host_crashed::host_crashed(std::uint32_t code, std::string module)
    : std::runtime_error("the plugin host crashed"), code(code), module(std::move(module)) {}

// Each thread keeps its message buffers from one message to the next: a
// render's answer is the size of its audio, and a buffer made anew for
// each grows by copies (README, Benchmark: the Windows worker's profile).
// One that grew past this is let go after use.
constexpr std::size_t kept_buffer_max = 64u << 20;

bool write_message(std::FILE* out, const json& message) {
    thread_local std::vector<std::uint8_t> body;
    body.clear();
    json::to_cbor(message, body);
    const auto n = static_cast<std::uint32_t>(body.size());
    const std::uint8_t head[4] = {static_cast<std::uint8_t>(n), static_cast<std::uint8_t>(n >> 8),
                                  static_cast<std::uint8_t>(n >> 16), static_cast<std::uint8_t>(n >> 24)};
    const bool sent = std::fwrite(head, 1, 4, out) == 4 &&
                      std::fwrite(body.data(), 1, body.size(), out) == body.size() && std::fflush(out) == 0;
    if (body.capacity() > kept_buffer_max) std::vector<std::uint8_t>().swap(body);
    return sent;
}

std::optional<json> read_message(std::FILE* in) {
    std::uint8_t head[4];
    const std::size_t got = std::fread(head, 1, 4, in);
    if (got == 0) return std::nullopt;
    if (got < 4) throw fatal_error("the plugin host's pipe ended inside a message");
    const std::uint32_t n = head[0] | head[1] << 8 | head[2] << 16 | static_cast<std::uint32_t>(head[3]) << 24;
    if (n == crash_report_mark) {
        std::uint32_t code = 0, length = 0;
        if (std::fread(&code, 4, 1, in) != 1 || std::fread(&length, 4, 1, in) != 1 || length > 4096)
            throw host_crashed(code, "");
        std::string module(length, '\0');
        if (std::fread(module.data(), 1, length, in) != length) module.clear();
        throw host_crashed(code, module);
    }
    thread_local std::vector<std::uint8_t> body;
    if (body.size() < n) body.resize(n);  // never shrunk, so never zeroed again
    if (std::fread(body.data(), 1, n, in) != n) throw fatal_error("the plugin host's pipe ended inside a message");
    std::optional<json> message;
    try {
        message = wire_from_cbor(body.data(), n);
    } catch (const wire_cbor_error& e) {
        throw fatal_error(std::string("the plugin host sent a message that is not CBOR: ") + e.what());
    }
    if (body.size() > kept_buffer_max) std::vector<std::uint8_t>().swap(body);
    return message;
}

json to_wire(const play_plan& plan) {
    json messages = json::array();
    for (const auto& m : plan.messages) messages.push_back(json::array({m.frame, as_binary(m.bytes.data(), m.bytes.size())}));
    json j{{"frames", plan.frames}, {"messages", std::move(messages)}};
    if (plan.until_silence)
        j["until_silence"] = json::array(
            {plan.until_silence->silence_db, plan.until_silence->hold_frames, plan.until_silence->max_frames});
    json transport = json::array();
    for (const auto& s : plan.transport.segments())
        transport.push_back(json::array({s.frame, s.bpm, s.sig.numerator, s.sig.denominator, s.ppq, s.bar_ppq, s.bar}));
    j["transport"] = {{"sample_rate", plan.transport.sample_rate()}, {"segments", std::move(transport)}};
    return j;
}

play_plan plan_from_wire(const json& j) {
    play_plan plan;
    plan.frames = j.at("frames").get<std::int64_t>();
    for (const auto& m : j.at("messages")) plan.messages.push_back({m.at(0).get<std::int64_t>(), binary_of(m.at(1))});
    if (auto t = j.find("until_silence"); t != j.end())
        plan.until_silence = silence_tail{t->at(0).get<double>(), t->at(1).get<std::int64_t>(),
                                          t->at(2).get<std::int64_t>()};
    const json& t = j.at("transport");
    std::vector<transport_segment> segments;
    for (const auto& s : t.at("segments"))
        segments.push_back({s.at(0).get<std::int64_t>(), s.at(1).get<double>(),
                            time_signature{s.at(2).get<int>(), s.at(3).get<int>()}, s.at(4).get<double>(),
                            s.at(5).get<double>(), s.at(6).get<std::int64_t>()});
    plan.transport = transport_map::from_segments(std::move(segments), t.at("sample_rate").get<int>());
    return plan;
}

json to_wire(const audio_buffer& audio) {
    return json{{"channels", audio.channels},
                {"rate", audio.sample_rate},
                {"samples", as_binary(audio.samples.data(), audio.samples.size() * sizeof(float))}};
}

audio_buffer audio_from_wire(const json& j) {
    audio_buffer a;
    a.channels = j.at("channels").get<int>();
    a.sample_rate = j.at("rate").get<int>();
    const auto& bytes = binary_of(j.at("samples"));
    a.samples.resize(bytes.size() / sizeof(float));
    if (!a.samples.empty()) std::memcpy(a.samples.data(), bytes.data(), a.samples.size() * sizeof(float));
    return a;
}

json to_wire(const loaded_preset& p) {
    json j{{"path", p.path},
           {"sha256", p.sha256},
           {"format", p.format},
           {"plugin_id", p.plugin_id},
           {"name", p.name},
           {"payload", static_cast<int>(p.payload)},
           {"bank", p.bank},
           {"params", p.params},
           {"bytes", bytes_to_wire(p.bytes)},
           {"chunk", bytes_to_wire(p.chunk)}};
    if (p.program) j["program"] = *p.program;
    return j;
}

loaded_preset preset_from_wire(const json& j) {
    loaded_preset p;
    p.path = j.at("path").get<std::string>();
    p.sha256 = j.at("sha256").get<std::string>();
    p.format = j.at("format").get<std::string>();
    p.plugin_id = j.at("plugin_id").get<std::string>();
    p.name = j.at("name").get<std::string>();
    p.payload = static_cast<preset_payload>(j.at("payload").get<int>());
    p.bank = j.at("bank").get<bool>();
    p.params = j.at("params").get<std::vector<float>>();
    p.bytes = bytes_from_wire(j.at("bytes"));
    p.chunk = bytes_from_wire(j.at("chunk"));
    if (auto k = j.find("program"); k != j.end()) p.program = k->get<int>();
    return p;
}

json to_wire(const automation& moves) {
    json out = json::array();
    for (const auto& lane : moves) {
        json points = json::array();
        for (const auto& pt : lane.points) points.push_back(json::array({pt.time_s, pt.value}));
        out.push_back(json{{"key", lane.key}, {"points", std::move(points)}});
    }
    return out;
}

automation automation_from_wire(const json& j) {
    automation moves;
    for (const auto& l : j) {
        automation_lane lane;
        lane.key = l.at("key").get<std::string>();
        for (const auto& pt : l.at("points")) lane.points.push_back({pt.at(0).get<double>(), pt.at(1).get<double>()});
        moves.push_back(std::move(lane));
    }
    return moves;
}

json to_wire(const plugin_info& i) {
    return json{{"name", i.name},
                {"format", i.format},
                {"version", i.version},
                {"id", i.id},
                {"latency", i.latency_samples},
                {"inputs", i.input_channels},
                {"outputs", i.output_channels},
                {"main_inputs", i.main_input_channels},
                {"sidechain", i.sidechain_channels},
                {"midi", i.accepts_midi},
                {"buses", i.buses},
                {"platform", i.platform}};
}

plugin_info info_from_wire(const json& j) {
    plugin_info i;
    i.name = j.at("name").get<std::string>();
    i.format = j.at("format").get<std::string>();
    i.version = j.at("version").get<std::string>();
    i.id = j.at("id").get<std::string>();
    i.latency_samples = j.at("latency").get<int>();
    i.input_channels = j.at("inputs").get<int>();
    i.output_channels = j.at("outputs").get<int>();
    i.main_input_channels = j.at("main_inputs").get<int>();
    i.sidechain_channels = j.at("sidechain").get<int>();
    i.accepts_midi = j.at("midi").get<bool>();
    i.buses = j.at("buses").get<std::string>();
    i.platform = j.at("platform").get<std::string>();
    return i;
}

json to_wire(const plugin_ref& ref) {
    return json{{"location", ref.location}, {"format", static_cast<int>(ref.format)}};
}

plugin_ref ref_from_wire(const json& j) {
    plugin_ref ref;
    ref.location = j.at("location").get<std::string>();
    ref.format = static_cast<plugin_format>(j.at("format").get<int>());
    return ref;
}

json to_wire(const std::vector<param_reading>& params) {
    json out = json::array();
    for (const auto& p : params) out.push_back(json::array({p.index, p.name, p.value, p.text}));
    return out;
}

std::vector<param_reading> params_from_wire(const json& j) {
    std::vector<param_reading> out;
    for (const auto& p : j)
        out.push_back({p.at(0).get<int>(), p.at(1).get<std::string>(), p.at(2).get<double>(), p.at(3).get<std::string>()});
    return out;
}

json bytes_to_wire(const std::vector<std::uint8_t>& bytes) { return as_binary(bytes.data(), bytes.size()); }

std::vector<std::uint8_t> bytes_from_wire(const json& j) { return binary_of(j); }

}  // namespace vr::host
