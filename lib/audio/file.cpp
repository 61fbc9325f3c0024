// SPDX-License-Identifier: GPL-3.0-or-later
#include "audio/file.hpp"

#include <filesystem>

#include "audio/npy.hpp"
#include "audio/ogg.hpp"
#include "audio/sndfile.hpp"
#include "core/beneath.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"

namespace vr {

namespace {

constexpr const char* extensions = ".wav .flac .ogg .aiff .aif .npy";
// Reading back holds the file and its samples in memory: about 1.5 hours of
// stereo float at 48 kHz, far beyond a rendered note.
constexpr std::size_t max_read_bytes = std::size_t{2} << 30;
constexpr std::size_t max_read_samples = max_read_bytes / sizeof(float);

std::string lower_ascii(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

std::string container_name(audio_container c) {
    switch (c) {
        case audio_container::wav: return "WAV";
        case audio_container::flac: return "FLAC";
        case audio_container::ogg: return "Ogg/Vorbis";
        case audio_container::aiff: return "AIFF";
        case audio_container::npy: return ".npy";
    }
    return "?";
}

// libsndfile reads an Ogg file's serial back nowhere; hashing the samples
// gives every distinct render its own serial (Ogg players chaining files
// expect them to differ) and the same render the same one.
std::uint32_t serial_for(const audio_buffer& audio) {
    auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(audio.samples.data()),
                           audio.samples.size() * sizeof(float));
    return static_cast<std::uint32_t>(std::stoul(sha256_hex(bytes).substr(0, 8), nullptr, 16));
}

}  // namespace

sample_format parse_sample_format(std::string_view name) {
    if (name == "pcm16") return sample_format::pcm16;
    if (name == "pcm24") return sample_format::pcm24;
    if (name == "float32") return sample_format::float32;
    throw record_error("sample format '" + std::string(name) +
                       "' is not one of pcm16, pcm24, float32");
}

std::string_view to_string(sample_format f) {
    switch (f) {
        case sample_format::pcm16: return "pcm16";
        case sample_format::pcm24: return "pcm24";
        case sample_format::float32: return "float32";
    }
    return "?";
}

audio_container container_of(const std::string& path) {
    std::string ext = lower_ascii(std::filesystem::path(path).extension().string());
    if (ext == ".wav") return audio_container::wav;
    if (ext == ".flac") return audio_container::flac;
    if (ext == ".ogg") return audio_container::ogg;
    if (ext == ".aiff" || ext == ".aif") return audio_container::aiff;
    if (ext == ".npy") return audio_container::npy;
    if (ext.empty())
        throw record_error(path + ": no extension to pick the audio format by; use one of " +
                           extensions);
    throw record_error(path + ": cannot write " + ext +
                       " files; the extension picks the format: " + extensions);
}

bool uses_sample_format(audio_container c) { return c != audio_container::ogg; }

void check_audio_target(const std::string& path, sample_format fmt, int channels) {
    audio_container c = container_of(path);
    if (channels != 1 && channels != 2)
        throw record_error(path + ": " + std::to_string(channels) +
                           " channels; audio files are written with 1 or 2");
    if (c == audio_container::flac && fmt == sample_format::float32)
        throw record_error(path + ": FLAC holds pcm16 or pcm24, not float32");
    if (c == audio_container::npy && fmt != sample_format::float32)
        throw record_error(path + ": .npy files are written as float32, not " +
                           std::string(to_string(fmt)));
}

void write_audio_file(const std::string& path, const audio_buffer& audio, sample_format fmt, int flac_level,
                      const std::string& output_root) {
    check_audio_target(path, fmt, audio.channels);
    if (audio.samples.size() % static_cast<std::size_t>(audio.channels) != 0)
        throw record_error(path + ": internal error: " + std::to_string(audio.samples.size()) +
                           " samples do not make whole frames of " +
                           std::to_string(audio.channels) + " channels");
    audio_container c = container_of(path);
    if (c != audio_container::npy && audio.sample_rate <= 0)
        throw record_error(path + ": sample rate " + std::to_string(audio.sample_rate) + " Hz; " +
                           container_name(c) + " needs a positive one");

    std::vector<std::uint8_t> bytes;
    if (c == audio_container::npy) {
        bytes = encode_npy(audio);
    } else {
        bytes = sndfile_encode(audio, c, fmt, path, flac_level);
        if (c == audio_container::ogg) set_ogg_serial(bytes, serial_for(audio), path);
    }
    if (!output_root.empty()) {
        beneath(output_root, true).write_file_atomic(path, bytes);
        return;
    }
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) make_dirs(parent.string());
    write_file_atomic(path, bytes);
}

audio_buffer read_audio_file(const std::string& path) {
    auto bytes = read_file(path, max_read_bytes);
    // A .npy file within max_read_bytes holds at most max_read_samples.
    if (is_npy(bytes)) return decode_npy(bytes, path);
    return sndfile_decode(bytes, path, max_read_samples);
}

}  // namespace vr
