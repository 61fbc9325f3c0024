// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobs/job_audio.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "audio/measure.hpp"
#include "audio/sndfile.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "midi/midi.hpp"

namespace vr {

silence_tail tail_of(const render_job& job) {
    silence_tail t;
    t.silence_db = job.shape.silence_db;
    t.hold_frames = seconds_to_frames(job.shape.silence_hold_s, job.sample_rate);
    t.max_frames = seconds_to_frames(job.shape.max_tail_s, job.sample_rate);
    return t;
}

transport_map transport_for(const render_job& job, const midi_song* song, json& record) {
    if (!song) return transport_map(job.bpm, job.sig, job.sample_rate);
    transport_map t = transport_map::of_song(*song, job.bpm, job.sig, job.sample_rate, job.midi_path);
    if (job.bpm_given && !song->smpte) {
        // The file's tempo is whole microseconds per quarter note.
        const auto us = [](double bpm) { return std::llround(60e6 / bpm); };
        if (us(job.bpm) != us(t.first_bpm()))
            throw record_error("bpm " + message_number(job.bpm) + " is not the MIDI file's tempo, " +
                               message_number(t.first_bpm()) + " bpm (" + job.midi_path +
                               "): leave bpm out, or give the file's");
    }
    if (job.sig_given && !(t.first_sig() == job.sig))
        throw record_error("time_signature " + to_string(job.sig) + " is not the MIDI file's, " +
                           to_string(t.first_sig()) + " (" + job.midi_path +
                           "): leave time_signature out, or give the file's");
    record["bpm"] = bpm_value(t.first_bpm());
    record["time_signature"] = to_string(t.first_sig());
    return t;
}

namespace {

// The job's notes or song, over its own length, then the tail, on the
// job's transport.
play_plan played_plan(const render_job& job, json& record, bool keep_program_changes) {
    const bool until_silence = job.shape.tail_auto;
    if (!job.midi_mode) {
        play_plan plan = until_silence
                             ? note_plan_until_silence(job.note, job.velocity, job.duration_s, tail_of(job), job.sample_rate)
                             : note_plan(job.note, job.velocity, job.duration_s, job.tail_s, job.sample_rate);
        plan.transport = transport_for(job, nullptr, record);
        return plan;
    }
    // Read once: the bytes parsed are the bytes hashed.
    auto bytes = read_file(job.midi_path, midi_max_file_bytes);
    midi_song song = parse_midi(bytes, job.midi_path);
    record["midi_sha256"] = sha256_hex(bytes);
    double length = job.midi_duration_s.value_or(song.duration_s);
    // A few bytes of MIDI can declare years of song: refuse it before
    // anything is allocated for it.
    if (!(length <= max_seconds))
        throw record_error(job.midi_path + ": the song lasts " + std::to_string(static_cast<long long>(length)) +
                           " s; at most " + std::to_string(static_cast<int>(max_seconds)) + " s are rendered");
    if (!job.midi_duration_s) record["midi_duration_s"] = song.duration_s;
    play_plan plan = until_silence
                         ? midi_plan_until_silence(song, length, tail_of(job), job.sample_rate, keep_program_changes)
                         : midi_plan(song, length, job.tail_s, job.sample_rate, keep_program_changes);
    plan.transport = transport_for(job, &song, record);
    return plan;
}

}  // namespace

play_plan input_plan(const render_job& job, std::int64_t input_frames) {
    play_plan plan;
    plan.transport = transport_map(job.bpm, job.sig, job.sample_rate);
    plan.frames = input_frames + (job.shape.tail_auto ? 0 : seconds_to_frames(job.tail_s, job.sample_rate));
    if (job.shape.tail_auto) plan.until_silence = tail_of(job);
    return plan;
}

play_plan plan_for(const render_job& job, json& record, bool keep_program_changes, std::int64_t input_frames) {
    const bool until_silence = job.shape.tail_auto;
    const std::int64_t tail = until_silence ? 0 : seconds_to_frames(job.tail_s, job.sample_rate);
    if (!job.midi_mode && !job.plays_note) return input_plan(job, input_frames);
    play_plan plan = played_plan(job, record, keep_program_changes);
    // An input longer than the notes: all of it, then the tail. A fixed
    // tail is planned long enough to cover it, so that the note-off (left
    // out of a plan whose note ends at its last frame) and the song's
    // last events are still played.
    if (input_frames + tail > plan.frames) {
        if (!until_silence) {
            render_job longer = job;
            longer.tail_s += static_cast<double>(input_frames + tail - plan.frames + 1) / job.sample_rate;
            plan = played_plan(longer, record, keep_program_changes);
        }
        plan.frames = input_frames + tail;
    }
    return plan;
}

normalized normalize_audio(audio_buffer& audio, const normalize_target& target, double ceiling_dbtp,
                           const loudness_reading& unscaled) {
    if (target.what == normalize_target::kind::none) return {0, unscaled};
    // Integrated loudness is not linear in the gain (blocks under the
    // absolute gate at -70 LUFS join as the gain rises): converge on the
    // target, each round from the unscaled render.
    const audio_buffer original = audio;
    loudness_reading loud = unscaled;
    double gain = normalize_gain_db(target, measure_audio(audio, 0.0).peak_dbfs, loud, ceiling_dbtp);
    for (int round = 0; round < 6; ++round) {
        audio = original;
        apply_gain(audio, gain);
        loud = measure_loudness(audio);
        double next = gain;
        if (target.what == normalize_target::kind::lufs && loud.integrated_lufs)
            next += target.level - *loud.integrated_lufs;
        if (loud.true_peak_dbtp) next = std::min(next, gain + ceiling_dbtp - *loud.true_peak_dbtp);
        if (std::fabs(next - gain) < 0.001) break;
        gain = next;
    }
    // Float rounding may leave the scaled true peak a hair above the ceiling.
    if (loud.true_peak_dbtp && *loud.true_peak_dbtp > ceiling_dbtp) {
        gain -= *loud.true_peak_dbtp - ceiling_dbtp + 0.001;
        audio = original;
        apply_gain(audio, gain);
        loud = measure_loudness(audio);
    }
    return {gain, loud};
}

json shape_audio(audio_buffer& audio, const render_shape& s) {
    json r;
    const std::size_t nonfinite = zero_nonfinite(audio);
    // Garbage passed off as audio would poison a dataset silently.
    if (nonfinite && !s.allow_nonfinite)
        throw record_error("the plugin produced " + std::to_string(nonfinite) +
                           " non-finite samples (NaN or Inf); no file was written (allow_nonfinite "
                           "writes them as 0)");
    if (s.trim_silence) trim_silence(audio, s.silence_db, seconds_to_frames(s.trim_pad_s, audio.sample_rate));
    if (s.fade_out_ms > 0) fade_out(audio, seconds_to_frames(s.fade_out_ms / 1000.0, audio.sample_rate));
    const normalized n = normalize_audio(audio, s.normalize, s.true_peak_ceiling_dbtp, measure_loudness(audio));
    r["frames"] = audio.frames();
    put_measures(r, measure_audio(audio, s.silence_db));
    r["nonfinite_samples"] = nonfinite;
    r["loudness_lufs"] = n.loudness.integrated_lufs ? db_value(*n.loudness.integrated_lufs) : json(nullptr);
    r["true_peak_dbtp"] = n.loudness.true_peak_dbtp ? db_value(*n.loudness.true_peak_dbtp) : json(nullptr);
    r["gain_db"] = db_value(n.gain_db);
    return r;
}

void warm_audio_code(int sample_rate) {
    audio_buffer audio;
    audio.sample_rate = sample_rate;
    audio.samples.resize(static_cast<std::size_t>(sample_rate) / 2 * 2);
    for (std::size_t i = 0; i < audio.samples.size(); ++i) audio.samples[i] = static_cast<float>(i % 97) / 970.0f;
    shape_audio(audio, render_shape{});
    for (auto container : {audio_container::wav, audio_container::flac})
        sndfile_encode(audio, container, sample_format::pcm24, "warm-up");
    (void)temp_path_beside("/warm-up/file.wav");
}

}  // namespace vr
