// SPDX-License-Identifier: GPL-3.0-or-later
#include "audio/input.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <soxr.h>
#include <span>
#include <type_traits>
#include <vector>

#include "audio/npy.hpp"
#include "audio/sndfile.hpp"
#include "core/cursor.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/handles.hpp"
#include "core/hash.hpp"

namespace vr {

namespace {

// Decoded floats may take as much memory as the largest file read.
constexpr std::size_t max_input_samples = max_input_bytes / sizeof(float);

struct soxr_deleter {
    void operator()(soxr_t s) const noexcept { soxr_delete(s); }
};
using unique_soxr = unique_handle<std::remove_pointer_t<soxr_t>, soxr_deleter>;

std::string seconds_text(double s, const char* format) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, s);
    return buf;
}

void check_rate(int rate, const std::string& what) {
    if (rate < min_input_rate_hz || rate > max_input_rate_hz)
        throw record_error(what + " " + std::to_string(rate) + " Hz is outside " +
                           std::to_string(min_input_rate_hz) + ".." +
                           std::to_string(max_input_rate_hz) + " Hz");
}

// libsndfile reads a WAV or AIFF file cut short without complaint, trimming
// its idea of the length to what is there; the container's own size field
// still says how long the file was meant to be. 0 and 0xffffffff are what
// writers that could not seek back (a pipe) leave: unknown, not checked.
void check_container_size(std::span<const std::uint8_t> bytes, const std::string& path) {
    if (bytes.size() < 8) return;  // too short for any header: libsndfile refuses it
    byte_cursor c(bytes);
    std::string_view id = c.chars(4, "container id");
    std::uint32_t size;
    if (id == "RIFF")
        size = c.u32le("RIFF size");
    else if (id == "RIFX" || id == "FORM")
        size = c.u32be("container size");
    else
        return;
    if (size == 0 || size == 0xffffffffu) return;
    std::uint64_t declared = std::uint64_t{size} + 8;
    if (declared > bytes.size())
        throw record_error(path + ": truncated: its " + std::string(id) + " header says " +
                           std::to_string(declared) + " bytes, the file has " +
                           std::to_string(bytes.size()));
}

// The frame count a native FLAC file's STREAMINFO states, when it states
// one (0 means unknown). libsndfile stops quietly where a cut FLAC ends.
std::optional<std::uint64_t> flac_stated_frames(std::span<const std::uint8_t> bytes) {
    // "fLaC", a 4-byte block header, then STREAMINFO: 10 bytes of block and
    // frame sizes, 20 bits rate, 3 channels, 5 bits depth, 36 bits frames.
    if (bytes.size() < 4 + 4 + 18) return std::nullopt;
    byte_cursor c(bytes);
    if (c.chars(4, "FLAC marker") != "fLaC") return std::nullopt;
    if ((c.u8("metadata block type") & 0x7f) != 0) return std::nullopt;
    c.skip(3 + 10, "STREAMINFO sizes");
    c.skip(3, "STREAMINFO rate, channels, depth");
    std::uint64_t frames = c.u8("STREAMINFO frames, high bits") & 0x0f;
    frames = (frames << 32) | c.u32be("STREAMINFO frames");
    if (frames == 0) return std::nullopt;
    return frames;
}

void check_finite(const audio_buffer& a, const std::string& path) {
    for (std::size_t i = 0; i < a.samples.size(); ++i) {
        float s = a.samples[i];
        if (std::isfinite(s)) continue;
        std::size_t ch = static_cast<std::size_t>(a.channels);
        throw record_error(path + ": sample at frame " + std::to_string(i / ch) + ", channel " +
                           std::to_string(i % ch) + " is " +
                           (std::isnan(s) ? "NaN" : s > 0 ? "+Inf" : "-Inf") +
                           "; input audio must be finite");
    }
}

// File channel j into bus channel j mod n, each the mean of what it gets.
audio_buffer downmix_to(const audio_buffer& a, int n) {
    const std::size_t m = static_cast<std::size_t>(a.channels);
    const std::size_t bus = static_cast<std::size_t>(n);
    std::vector<double> count(bus, 0.0);
    for (std::size_t j = 0; j < m; ++j) count[j % bus] += 1;
    audio_buffer out;
    out.channels = n;
    out.sample_rate = a.sample_rate;
    out.samples.resize(a.frames() * bus);
    std::vector<double> sum(bus);
    for (std::size_t f = 0; f < a.frames(); ++f) {
        std::fill(sum.begin(), sum.end(), 0.0);
        for (std::size_t j = 0; j < m; ++j) sum[j % bus] += a.samples[f * m + j];
        for (std::size_t k = 0; k < bus; ++k)
            out.samples[f * bus + k] = static_cast<float>(sum[k] / count[k]);
    }
    return out;
}

// Fewer channels than the bus: the file's go to the bus's first channels (a
// mono file to both of the first pair), the others stay silent.
audio_buffer fit_channels(const audio_buffer& a, int n) {
    audio_buffer out;
    out.channels = n;
    out.sample_rate = a.sample_rate;
    const std::size_t frames = a.frames(), m = static_cast<std::size_t>(a.channels), nn = static_cast<std::size_t>(n);
    out.samples.assign(frames * nn, 0.0f);
    const std::size_t copies = m == 1 ? std::min<std::size_t>(nn, 2) : m;
    for (std::size_t f = 0; f < frames; ++f)
        for (std::size_t c = 0; c < copies; ++c) out.samples[f * nn + c] = a.samples[f * m + (m == 1 ? 0 : c)];
    return out;
}

}  // namespace

audio_buffer resample(const audio_buffer& audio, int to_rate, const std::string& path) {
    if (audio.sample_rate <= 0 || to_rate <= 0 || audio.channels < 1)
        throw record_error(path + ": internal error: resampling " + std::to_string(audio.channels) +
                           " channels from " + std::to_string(audio.sample_rate) + " Hz to " +
                           std::to_string(to_rate) + " Hz");
    const std::size_t ch = static_cast<std::size_t>(audio.channels);
    const std::size_t frames = audio.frames();
    soxr_error_t err = nullptr;
    soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    soxr_quality_spec_t quality = soxr_quality_spec(SOXR_VHQ, 0);
    // One thread: the same input gives the same samples on every run.
    soxr_runtime_spec_t runtime = soxr_runtime_spec(1);
    unique_soxr s(soxr_create(audio.sample_rate, to_rate, static_cast<unsigned>(ch), &err, &io,
                              &quality, &runtime));
    if (!s || err)
        throw record_error(path + ": cannot resample from " + std::to_string(audio.sample_rate) +
                           " to " + std::to_string(to_rate) + " Hz: " + soxr_strerror(err));

    // libsoxr's flush ends the output at round(frames x ratio) frames; room
    // for that and a little more, grown should it ever be short.
    const std::uint64_t expected =
        (std::uint64_t{frames} * static_cast<std::uint64_t>(to_rate) * 2 +
         static_cast<std::uint64_t>(audio.sample_rate)) /
        (std::uint64_t{2} * static_cast<std::uint64_t>(audio.sample_rate));
    audio_buffer out;
    out.channels = audio.channels;
    out.sample_rate = to_rate;
    out.samples.resize((static_cast<std::size_t>(expected) + 64) * ch);

    // In slices, so that no single call asks libsoxr for a huge buffer; a
    // null input is its end of input, after which it flushes its filter.
    const std::size_t slice = 65536;
    std::size_t in_done = 0, out_done = 0;
    for (;;) {
        if (out_done * ch == out.samples.size()) out.samples.resize(out.samples.size() + slice * ch);
        const bool flushing = in_done == frames;
        const std::size_t ilen = flushing ? 0 : std::min(slice, frames - in_done);
        const std::size_t olen = std::min(slice, out.samples.size() / ch - out_done);
        std::size_t idone = 0, odone = 0;
        err = soxr_process(s.get(), flushing ? nullptr : audio.samples.data() + in_done * ch, ilen,
                           &idone, out.samples.data() + out_done * ch, olen, &odone);
        if (err) throw record_error(path + ": resampling failed: " + soxr_strerror(err));
        in_done += idone;
        out_done += odone;
        if (flushing && odone == 0) break;
        if (!flushing && idone == 0 && odone == 0)
            throw record_error(path + ": internal error: the resampler made no progress");
    }
    out.samples.resize(out_done * ch);
    return out;
}

input_audio load_input(const std::string& path, int sample_rate, int bus_channels, bool downmix,
                       double max_seconds, const char* bus) {
    check_rate(sample_rate, path + ": the requested sample rate");
    if (bus_channels < 1)
        throw record_error(path + ": internal error: an " + bus + " bus of " +
                           std::to_string(bus_channels) + " channels");

    input_audio in;
    audio_buffer a;
    bool npy = false;
    {
        // Read once; the hash and the decoder see the same bytes.
        std::vector<std::uint8_t> bytes = read_file(path, max_input_bytes);
        in.sha256 = sha256_hex(bytes);
        if (bytes.empty()) throw record_error(path + ": an empty file (0 bytes), not audio");
        npy = is_npy(bytes);
        if (npy) {
            a = decode_npy(bytes, path);
        } else {
            check_container_size(bytes, path);
            a = sndfile_decode(bytes, path, max_input_samples);
            if (auto stated = flac_stated_frames(bytes); stated && a.frames() < *stated)
                throw record_error(path + ": truncated or corrupt: its FLAC header says " +
                                   std::to_string(*stated) + " frames, " +
                                   std::to_string(a.frames()) + " decode");
        }
    }  // the file's bytes are freed here, before any more memory is taken

    in.source_channels = a.channels;
    in.source_rate_hz = npy ? 0 : a.sample_rate;
    if (npy)
        a.sample_rate = sample_rate;  // a .npy file carries no rate
    else
        check_rate(a.sample_rate, path + ": its sample rate");
    if (a.frames() == 0) throw record_error(path + ": no audio in it (0 frames decoded)");
    in.duration_s = static_cast<double>(a.frames()) / a.sample_rate;
    if (!(in.duration_s <= max_seconds))
        throw record_error(path + ": " + std::to_string(a.frames()) + " frames at " +
                           std::to_string(a.sample_rate) + " Hz (" + seconds_text(in.duration_s, "%.3f") +
                           " s), over the limit of " + seconds_text(max_seconds, "%g") + " s");
    check_finite(a, path);

    const int m = a.channels;
    if (m > bus_channels && !downmix)
        throw record_error(path + ": " + std::to_string(m) + " channels, more than the " + bus + " bus's " +
                           std::to_string(bus_channels) + "; set downmix (--downmix) to mix it down, or give a file with " +
                           std::to_string(bus_channels) + (bus_channels > 1 ? " or 1" : ""));

    if (m > bus_channels) a = downmix_to(a, bus_channels);
    if (a.sample_rate != sample_rate) {
        a = resample(a, sample_rate, path);
        in.resampled = true;
    }
    if (m < bus_channels) a = fit_channels(a, bus_channels);
    in.audio = std::move(a);
    return in;
}

audio_buffer fit_to_bus(const audio_buffer& audio, int bus_channels) {
    if (audio.channels > bus_channels) return downmix_to(audio, bus_channels);
    if (audio.channels < bus_channels) return fit_channels(audio, bus_channels);
    return audio;
}

}  // namespace vr
