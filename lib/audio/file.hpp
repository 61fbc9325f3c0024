// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vr {

enum class sample_format { pcm16, pcm24, float32 };

// "pcm16" | "pcm24" | "float32" -> enum; throws record_error otherwise.
sample_format parse_sample_format(std::string_view name);

// The name parse_sample_format takes for f.
std::string_view to_string(sample_format f);

// The file formats we write, picked by the output path's extension.
enum class audio_container { wav, flac, ogg, aiff, npy };

// The container a path's extension names (.wav .flac .ogg .aiff/.aif .npy,
// case-insensitive); throws record_error naming the path otherwise.
audio_container container_of(const std::string& path);

// Whether the container stores samples in the chosen sample_format: false for
// Ogg/Vorbis, a lossy codec that ignores it (the record's sample_format then
// describes nothing in the file).
bool uses_sample_format(audio_container c);

// Interleaved float samples, frames x channels.
struct audio_buffer {
    int channels = 2;
    int sample_rate = 48000;     // 0 when unknown (a .npy file carries none)
    std::vector<float> samples;  // interleaved
    std::size_t frames() const { return channels ? samples.size() / channels : 0; }
};

// Checks, before rendering, that the path's extension names a format we write
// and that this format holds `fmt` (FLAC: pcm16/pcm24 only; Ogg: any, the
// sample format is ignored; npy: float32 only) and `channels` (1 or 2);
// throws record_error naming the path and the problem otherwise.
void check_audio_target(const std::string& path, sample_format fmt, int channels);

// FLAC's compression levels (libFLAC's presets, as `flac -0` to `-8`): a
// higher level makes a smaller file and takes longer to encode; the samples
// decoded are the same at every level. libsndfile's default is 5.
inline constexpr int min_flac_level = 0;
inline constexpr int max_flac_level = 8;
inline constexpr int default_flac_level = 5;

// Writes the buffer to path in the format its extension picks, atomically: the
// file is encoded in memory, then written to a temporary file beside path,
// closed, checked and renamed over path (missing folders are created). On any
// failure (disk full, unwritable folder, ...) it throws record_error and
// leaves no temporary behind and path as it was. Identical buffers give
// byte-identical files in every format, Ogg included (its stream serial is
// derived from the samples instead of libsndfile's clock-seeded one).
// Samples beyond [-1, 1] saturate in PCM formats and are kept in float32.
// flac_level is used for .flac files only (out of min_flac_level..
// max_flac_level: record_error). With an output_root, path must lie below
// it and is written without following links (core/beneath.hpp).
void write_audio_file(const std::string& path, const audio_buffer& audio, sample_format fmt,
                      int flac_level = default_flac_level, const std::string& output_root = {});

// Reads any file libsndfile reads, and .npy files (float32 or float64, 1-D
// or 2-D frames x channels), back as floats; throws record_error naming the
// path. PCM comes back scaled to [-1, 1).
audio_buffer read_audio_file(const std::string& path);

}  // namespace vr
