// SPDX-License-Identifier: GPL-3.0-or-later
#include "audio/sndfile.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <sndfile.h>

#include "core/error.hpp"
#include "core/handles.hpp"
#include "core/memory.hpp"

namespace vr {

namespace {

struct sndfile_closer {
    void operator()(SNDFILE* f) const noexcept { sf_close(f); }
};
// Closed unchecked on the error path only; the success path uses close_checked.
using unique_sndfile = unique_handle<SNDFILE, sndfile_closer>;

void close_checked(unique_sndfile& f, const std::string& what) {
    int rc = sf_close(f.release());
    if (rc != 0) throw record_error(what + ": " + sf_error_number(rc));
}

// A growable file image that libsndfile writes through its virtual I/O. The
// callbacks are called from C: they must not throw, so a failed allocation
// is remembered and reported after libsndfile returns.
struct memory_sink {
    std::vector<std::uint8_t> data;
    sf_count_t pos = 0;
    bool out_of_memory = false;
};

// A read-only file image for libsndfile's virtual I/O.
struct memory_source {
    std::span<const std::uint8_t> data;
    sf_count_t pos = 0;
};

template <typename M>
sf_count_t mem_length(void* user) {
    return static_cast<sf_count_t>(static_cast<M*>(user)->data.size());
}

template <typename M>
sf_count_t mem_seek(sf_count_t offset, int whence, void* user) {
    auto* m = static_cast<M*>(user);
    sf_count_t base = whence == SEEK_SET   ? 0
                      : whence == SEEK_CUR ? m->pos
                                           : static_cast<sf_count_t>(m->data.size());
    if (offset < -base) return -1;
    m->pos = base + offset;
    return m->pos;
}

template <typename M>
sf_count_t mem_read(void* ptr, sf_count_t count, void* user) {
    auto* m = static_cast<M*>(user);
    auto size = static_cast<sf_count_t>(m->data.size());
    if (count <= 0 || m->pos >= size) return 0;
    sf_count_t n = std::min(count, size - m->pos);
    std::memcpy(ptr, m->data.data() + m->pos, static_cast<std::size_t>(n));
    m->pos += n;
    return n;
}

template <typename M>
sf_count_t mem_tell(void* user) {
    return static_cast<M*>(user)->pos;
}

sf_count_t sink_write(const void* ptr, sf_count_t count, void* user) {
    auto* m = static_cast<memory_sink*>(user);
    if (count <= 0) return 0;
    try {
        auto end = static_cast<std::size_t>(m->pos + count);
        if (end > m->data.size()) m->data.resize(end);
    } catch (const std::bad_alloc&) {
        m->out_of_memory = true;
        return 0;
    }
    std::memcpy(m->data.data() + m->pos, ptr, static_cast<std::size_t>(count));
    m->pos += count;
    return count;
}

sf_count_t source_write(const void*, sf_count_t, void*) { return 0; }

int major_format(audio_container c) {
    switch (c) {
        case audio_container::wav: return SF_FORMAT_WAV;
        case audio_container::flac: return SF_FORMAT_FLAC;
        case audio_container::ogg: return SF_FORMAT_OGG;
        case audio_container::aiff: return SF_FORMAT_AIFF;
        case audio_container::npy: break;
    }
    throw record_error("internal error: libsndfile does not write .npy");
}

int subtype(audio_container c, sample_format f) {
    if (c == audio_container::ogg) return SF_FORMAT_VORBIS;
    switch (f) {
        case sample_format::pcm16: return SF_FORMAT_PCM_16;
        case sample_format::pcm24: return SF_FORMAT_PCM_24;
        case sample_format::float32: return SF_FORMAT_FLOAT;
    }
    return 0;
}

// Formats that cannot carry NaN or Inf get 0 and +-1 instead: libsndfile's
// float-to-integer conversion of NaN is undefined, and NaN poisons a Vorbis
// encoder's state for the rest of the stream.
bool holds_nonfinite(audio_container c, sample_format f) {
    return c != audio_container::ogg && f == sample_format::float32;
}

}  // namespace

std::vector<std::uint8_t> sndfile_encode(const audio_buffer& audio, audio_container container,
                                         sample_format fmt, const std::string& path, int flac_level) {
    if (container == audio_container::flac && (flac_level < min_flac_level || flac_level > max_flac_level))
        throw record_error(path + ": FLAC compression level " + std::to_string(flac_level) + " is outside " +
                           std::to_string(min_flac_level) + ".." + std::to_string(max_flac_level));
    SF_INFO info{};
    info.samplerate = audio.sample_rate;
    info.channels = audio.channels;
    info.format = major_format(container) | subtype(container, fmt);
    if (!sf_format_check(&info))
        throw record_error(path + ": libsndfile cannot write this format at " +
                           std::to_string(audio.sample_rate) + " Hz and " +
                           std::to_string(audio.channels) + " channels");

    const std::vector<float>* samples = &audio.samples;
    std::vector<float> cleaned;
    if (!holds_nonfinite(container, fmt) &&
        !std::all_of(audio.samples.begin(), audio.samples.end(),
                     [](float s) { return std::isfinite(s); })) {
        cleaned = audio.samples;
        for (float& s : cleaned)
            if (!std::isfinite(s)) s = std::isnan(s) ? 0.0f : std::copysign(1.0f, s);
        samples = &cleaned;
    }

    memory_sink sink;
    // Room for the whole file at once (PCM's size bounds FLAC's and Vorbis'
    // too): grown step by step, the image would be copied into new pages
    // several times, and each first touch of a page costs a fault.
    const std::size_t sample_bytes = fmt == sample_format::pcm16 ? 2 : fmt == sample_format::pcm24 ? 3 : 4;
    sink.data.reserve(audio.samples.size() * sample_bytes + 65536);
    map_ahead(sink.data.data(), sink.data.capacity());
    SF_VIRTUAL_IO io{mem_length<memory_sink>, mem_seek<memory_sink>, mem_read<memory_sink>,
                     sink_write, mem_tell<memory_sink>};
    unique_sndfile f(sf_open_virtual(&io, SFM_WRITE, &info, &sink));
    if (!f) throw record_error(path + ": libsndfile cannot write it: " + sf_strerror(nullptr));
    // Both must be set before the first sample is written. SET_ADD_PEAK_CHUNK
    // returns the new setting, not success, so it is not checked.
    sf_command(f.get(), SFC_SET_ADD_PEAK_CHUNK, nullptr, SF_FALSE);
    sf_command(f.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);
    if (container == audio_container::flac) {
        // libsndfile takes a level from 0 to 1 and gives libFLAC
        // lrint(8 x it): N / 8 is exact in a double, so level N is FLAC's -N.
        double level = flac_level / 8.0;
        if (sf_command(f.get(), SFC_SET_COMPRESSION_LEVEL, &level, sizeof level) != SF_TRUE)
            throw record_error(path + ": libsndfile refused the FLAC compression level " +
                               std::to_string(flac_level) + ": " + sf_strerror(f.get()));
    }
    if (container == audio_container::ogg) {
        double q = vorbis_quality;
        if (sf_command(f.get(), SFC_SET_VBR_ENCODING_QUALITY, &q, sizeof q) != SF_TRUE)
            throw record_error(path +
                               ": libsndfile refused the Vorbis quality: " + sf_strerror(f.get()));
    }

    // In slices, so that a short write is seen where it happens.
    const sf_count_t frames = static_cast<sf_count_t>(audio.frames());
    const sf_count_t slice = 65536;
    for (sf_count_t done = 0; done < frames;) {
        sf_count_t n = std::min(slice, frames - done);
        sf_count_t wrote = sf_writef_float(f.get(), samples->data() + done * audio.channels, n);
        if (sink.out_of_memory) throw std::bad_alloc();
        if (wrote != n)
            throw record_error(path + ": libsndfile wrote " + std::to_string(done + wrote) +
                               " of " + std::to_string(frames) +
                               " frames: " + sf_strerror(f.get()));
        done += n;
    }
    // libsndfile's FLAC encoder starts on the first sample: without one it
    // would leave an empty, unreadable file.
    // (Only FLAC: asked the same, the Ogg writer starts a second stream.)
    if (frames == 0 && container == audio_container::flac)
        sf_command(f.get(), SFC_UPDATE_HEADER_NOW, nullptr, 0);
    close_checked(f, path + ": libsndfile could not finish the file");
    if (sink.out_of_memory) throw std::bad_alloc();
    return std::move(sink.data);
}

audio_buffer sndfile_decode(std::span<const std::uint8_t> bytes, const std::string& path,
                            std::size_t max_samples) {
    memory_source source{bytes};
    SF_VIRTUAL_IO io{mem_length<memory_source>, mem_seek<memory_source>, mem_read<memory_source>,
                     source_write, mem_tell<memory_source>};
    SF_INFO info{};
    unique_sndfile f(sf_open_virtual(&io, SFM_READ, &info, &source));
    if (!f) throw record_error(path + ": cannot read it as audio: " + sf_strerror(nullptr));
    if (info.channels < 1)
        throw record_error(path + ": " + std::to_string(info.channels) + " channels");

    audio_buffer out;
    out.channels = info.channels;
    out.sample_rate = info.samplerate;
    // Read until the decoder stops rather than trusting the header's frame
    // count, which is an estimate for some formats and a lie in broken files.
    const std::size_t slice = 65536;
    std::vector<float> chunk(slice * static_cast<std::size_t>(info.channels));
    for (;;) {
        sf_count_t n = sf_readf_float(f.get(), chunk.data(), static_cast<sf_count_t>(slice));
        if (n <= 0) break;
        std::size_t count = static_cast<std::size_t>(n) * static_cast<std::size_t>(info.channels);
        if (out.samples.size() + count > max_samples)
            throw record_error(path + ": more than " + std::to_string(max_samples) +
                               " samples, over the limit");
        out.samples.insert(out.samples.end(), chunk.begin(),
                           chunk.begin() + static_cast<std::ptrdiff_t>(count));
    }
    if (int err = sf_error(f.get()); err != SF_ERR_NO_ERROR)
        throw record_error(path + ": cannot decode it: " + sf_error_number(err));
    close_checked(f, path + ": cannot close it");
    return out;
}

}  // namespace vr
