// SPDX-License-Identifier: GPL-3.0-or-later
// What a job plays (a note, or a MIDI file's song, and its tail) and what is
// done to its audio between the plugin and the file (the job's shape). No
// JUCE and no plugin here: lib/host plays these plans and writes the result.
#pragma once
#include "audio/file.hpp"
#include "audio/loudness.hpp"
#include "audio/shape.hpp"
#include "core/records.hpp"
#include "jobs/job.hpp"
#include "midi/play_plan.hpp"

namespace vr {

// The job's auto tail (tail_s "auto"): its silence_db, and silence_hold_s
// and max_tail_s in frames at its sample rate.
silence_tail tail_of(const render_job& job);

// What the job plays: its note held for duration_s, or its MIDI file's
// song over midi_duration_s (the song's own length when not given), then
// tail_s or a tail until silence. A MIDI file is read once, and record gets
// midi_sha256 (of the bytes parsed) and, unless the job gave one,
// midi_duration_s. Program changes and bank selects are dropped unless
// keep_program_changes. Throws record_error for a file that cannot be read
// or parsed, and for a song longer than max_seconds (before any of it is
// planned). input_frames, an input's length at the job's rate, makes the
// render last at least that long before the tail; a job that plays no note
// (plays_note false) plays nothing but its input.
play_plan plan_for(const render_job& job, json& record, bool keep_program_changes, std::int64_t input_frames = 0);

// The host's transport for the job: its bpm and time signature, or the
// MIDI song's tempo map and time signatures (song given). A bpm or time
// signature the job or a flag gave must agree with the song's at its start
// (a tempo to the microsecond per quarter note); else, and for a tempo or
// time signature that is not one, throws record_error naming both. With a
// song, record gets bpm and time_signature as the plugin sees them at frame
// 0 (put_job_settings writes a job's own otherwise).
transport_map transport_for(const render_job& job, const midi_song* song, json& record);

// No notes: input_frames of input, then the job's tail (tail_s, or until
// silence): what an effect plays, alone or as a chain's later stage.
play_plan input_plan(const render_job& job, std::int64_t input_frames);

// What normalize_audio did: the gain applied, and the loudness after it.
struct normalized {
    double gain_db = 0;
    loudness_reading loudness;
};

// Scales audio to the target (none: left as it is, gain 0), the gain
// lowered so that the true peak stays at or below ceiling_dbtp; unscaled is
// the audio's loudness as given. Integrated loudness is not linear in the
// gain: a few rounds of scaling and measuring converge on a LUFS target.
normalized normalize_audio(audio_buffer& audio, const normalize_target& target, double ceiling_dbtp,
                           const loudness_reading& unscaled);

// Does to a render what the shape says, in this order: NaN and Inf zeroed
// (record_error, and nothing to write, unless allow_nonfinite), silence
// trimmed, the fade-out, normalization. Returns the fields that describe
// the audio to write: frames, the measures (peak_dbfs, rms_dbfs,
// clipped_samples, silent), nonfinite_samples (as rendered),
// loudness_lufs, true_peak_dbtp and gain_db.
json shape_audio(audio_buffer& audio, const render_shape& shape);

// Measures and encodes a little audio, for a process about to fork
// renderers: the shared libraries behind those steps (libebur128,
// libsndfile, libFLAC, libstdc++'s filesystem) bind their symbols on first
// call, and each binding made in a forked child writes a page the fork
// shares: a page fault, in every child, every job.
void warm_audio_code(int sample_rate);

}  // namespace vr
