// SPDX-License-Identifier: GPL-3.0-or-later
#include "worker/song_render.hpp"

#include <algorithm>

#include "audio/file.hpp"
#include "audio/input.hpp"
#include "audio/loudness.hpp"
#include "audio/measure.hpp"
#include "audio/shape.hpp"
#include "core/error.hpp"
#include "host/plugin_instance.hpp"
#include "jobs/job_audio.hpp"

namespace vr::host {

namespace {

std::string stem_text(const song_stem& s) {
    return "track " + std::to_string(s.track) + (s.track_name.empty() ? "" : " '" + s.track_name + "'");
}

// One stem's notes through its stages: the first plays them, each later
// one processes the audio of the one before, as a chain does.
audio_buffer render_stem(const std::vector<plugin_instance*>& ps, const std::vector<job_stage>& stages,
                         const render_job& job, const song_stem& stem, render_stats& stats, volatile int* at) {
    audio_buffer audio;
    for (std::size_t k = 0; k < stem.stage_count; ++k) {
        const std::size_t i = stem.first_stage + k;
        const job_stage& st = stages[i];
        if (at) *at = static_cast<int>(i);
        const int channels = k + 1 == stem.stage_count ? job.channels : 2;
        render_stats more;
        if (k == 0) {
            const render_feed feed{nullptr, st.sidechain ? &st.sidechain->audio : nullptr,
                                   st.spec.moves.empty() ? nullptr : &st.spec.moves, job.automation_step,
                           job.automation_in_beats};
            audio = ps[i]->render(stem.plan, channels, feed, &more);
        } else {
            const audio_buffer in = fit_to_bus(audio, ps[i]->info().main_input_channels);
            const render_feed feed{&in, st.sidechain ? &st.sidechain->audio : nullptr,
                                   st.spec.moves.empty() ? nullptr : &st.spec.moves, job.automation_step,
                           job.automation_in_beats};
            play_plan later = input_plan(job, static_cast<std::int64_t>(in.frames()));
            later.transport = stem.plan.transport;  // the song's one timeline
            audio = ps[i]->render(later, channels, feed, &more);
        }
        stats.process_s += more.process_s;
        stats.tail_capped = stats.tail_capped || more.tail_capped;
    }
    return audio;
}

// The fields that describe audio as written: measures, loudness, true peak.
json measured(const audio_buffer& audio, double silence_db) {
    json r;
    put_measures(r, measure_audio(audio, silence_db));
    const loudness_reading loud = measure_loudness(audio);
    r["loudness_lufs"] = loud.integrated_lufs ? db_value(*loud.integrated_lufs) : json(nullptr);
    r["true_peak_dbtp"] = loud.true_peak_dbtp ? db_value(*loud.true_peak_dbtp) : json(nullptr);
    return r;
}

// The stems added up, in track order, in float32.
audio_buffer sum_of(const std::vector<audio_buffer>& stems) {
    audio_buffer mix = stems.front();
    for (std::size_t s = 1; s < stems.size(); ++s)
        for (std::size_t i = 0; i < mix.samples.size(); ++i) mix.samples[i] += stems[s].samples[i];
    return mix;
}

}  // namespace

void check_stem_stages(const std::vector<job_stage>& stages, const song_layout& song) {
    for (const auto& stem : song.stems) {
        const plugin_info& info = stages[stem.first_stage].slot->info;
        if (!info.accepts_midi)
            throw record_error("tracks: " + stem_text(stem) + " (" + info.name + "): the plugin takes no MIDI (" +
                               info.buses + "): a track's first stage plays its notes");
    }
}

json render_song_and_write(const std::vector<plugin_instance*>& ps, const std::vector<job_stage>& stages,
                           const render_job& job, const song_layout& song, volatile int* at) {
    render_stats stats;
    std::vector<audio_buffer> stems;
    std::size_t frames = 0;
    for (const auto& stem : song.stems) {
        stems.push_back(render_stem(ps, stages, job, stem, stats, at));
        frames = std::max(frames, stems.back().frames());
    }
    // One timeline: a stem that went quiet before the last is silent after.
    std::size_t nonfinite = 0;
    for (auto& s : stems) {
        s.samples.resize(frames * static_cast<std::size_t>(s.channels), 0.0f);
        nonfinite += zero_nonfinite(s);
    }
    const render_shape& shape = job.shape;
    if (nonfinite && !shape.allow_nonfinite)
        throw record_error("the plugin produced " + std::to_string(nonfinite) +
                           " non-finite samples (NaN or Inf); no file was written (allow_nonfinite "
                           "writes them as 0)");
    if (shape.fade_out_ms > 0)
        for (auto& s : stems) fade_out(s, seconds_to_frames(shape.fade_out_ms / 1000.0, job.sample_rate));
    // One gain, found on the mix, for the mix and every stem alike; the mix
    // is then the sum of the stems as written.
    audio_buffer mix = sum_of(stems);
    double gain_db = 0;
    if (shape.normalize.what != normalize_target::kind::none) {
        gain_db = normalize_audio(mix, shape.normalize, shape.true_peak_ceiling_dbtp, measure_loudness(mix)).gain_db;
        for (auto& s : stems) apply_gain(s, gain_db);
        mix = sum_of(stems);
    }
    json r = measured(mix, shape.silence_db);
    r["frames"] = mix.frames();
    r["nonfinite_samples"] = nonfinite;
    r["gain_db"] = db_value(gain_db);
    if (job.shape.tail_auto) {
        r["tail_rendered_s"] =
            static_cast<double>(static_cast<std::int64_t>(frames) - song.stems.front().plan.frames) / job.sample_rate;
        r["tail_capped"] = stats.tail_capped;
    }
    json each = json::array();
    for (std::size_t j = 0; j < stems.size(); ++j) {
        const song_stem& stem = song.stems[j];
        json o{{"path", stem.path.empty() ? json(nullptr) : json(stem.path)},
               {"track", stem.track},
               {"track_name", stem.track_name},
               {"key", stem.key.empty() ? json(nullptr) : json(stem.key)}};
        const json m = measured(stems[j], shape.silence_db);
        for (const auto& [k, v] : m.items()) o[k] = v;
        o.erase("nonfinite_samples");
        each.push_back(std::move(o));
        if (!stem.path.empty()) write_audio_file(stem.path, stems[j], job.format, job.flac_level, job.output_root);
    }
    write_audio_file(job.output_path, mix, job.format, job.flac_level, job.output_root);
    r["stems"] = std::move(each);
    r["plugin_process_s"] = stats.process_s;
    return r;
}

void put_stem_stages(json& record, const std::vector<job_stage>& stages, const json& each,
                     const std::vector<json>& sidechains, const song_layout& song) {
    for (std::size_t j = 0; j < song.stems.size(); ++j) {
        const song_stem& stem = song.stems[j];
        std::vector<plugin_stage> specs;
        for (std::size_t k = 0; k < stem.stage_count; ++k) specs.push_back(stages[stem.first_stage + k].spec);
        json chain = stage_list_json(specs);
        for (std::size_t k = 0; k < stem.stage_count; ++k) {
            const std::size_t i = stem.first_stage + k;
            put_stage_fields(chain[k], stages[i], each[i], sidechains[i]);
        }
        record["stems"][j]["chain"] = std::move(chain);
    }
}

}  // namespace vr::host
